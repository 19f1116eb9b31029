import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import { maskLinkTokens, maskLinkTokensIn } from '../public-urls.ts';

/**
 * An answer a route chooses on purpose. For 4xx the message and details tell the caller what was wrong, so
 * they must never echo request values; for 5xx only the status and headers (e.g. Retry-After) go out.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Temporal (or another dependency) did not answer: the caller should try again, e.g. Loop redelivers. */
export const serviceUnavailable = (retryAfterSeconds: number) =>
  new HttpError(503, 'Service Unavailable', {}, { 'retry-after': String(retryAfterSeconds) });

const publicServerMessages: Record<number, string> = {
  503: 'The service is temporarily unavailable; try again later.',
};

/** What a route schema validated, as the caller knows it. */
const validationTargets: Record<string, string> = {
  body: 'body',
  params: 'path',
  querystring: 'query',
  headers: 'headers',
};

/**
 * A route schema's findings as `field: problem` lines (the problem alone when it concerns the whole
 * value). Built from the schema's own messages and the field's path, never from the offending values.
 */
export const describeValidation = (validation: FastifySchemaValidationError[]): string[] =>
  validation.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const message = issue.message ?? 'is invalid';
    return path === '' ? message : `${path}: ${message}`;
  });

/**
 * The gateway's one error handler: 4xx say what was wrong, 5xx reveal nothing. Every route schema's
 * validation failure answers in the same shape: `{ error, message: "Invalid request body.", issues }`.
 */
export const errorHandling = fp(
  async (fastify: FastifyInstance) => {
    fastify.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
      if (!(error instanceof HttpError) && error.validation) {
        const target = validationTargets[error.validationContext ?? ''] ?? 'request';
        return reply.status(400).send({
          error: STATUS_CODES[400],
          message: `Invalid request ${target}.`,
          issues: describeValidation(error.validation),
        });
      }
      const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
      if (error instanceof HttpError) reply.headers(error.headers);
      const label = STATUS_CODES[status] ?? 'Error';
      if (status >= 500) {
        if (!(error instanceof HttpError)) request.log.error({ err: error }, 'request failed');
        return reply
          .status(status)
          .send({ error: label, message: publicServerMessages[status] ?? 'Something went wrong.' });
      }
      if (error instanceof HttpError) {
        return reply.status(status).send({ error: label, message: error.message, ...error.details });
      }
      // Fastify's own messages may quote the request; an onboarding path carries a link's token.
      const message = maskLinkTokensIn(error.message, request.url.split('?')[0]!);
      return reply.status(status).send({ error: label, message });
    });

    fastify.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: 'Not Found',
        message: `No route for ${request.method} ${maskLinkTokens(request.url.split('?')[0]!)}`,
      }),
    );
  },
  { name: 'error-handling' },
);
