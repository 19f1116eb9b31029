import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const details = new WeakMap<FastifyRequest, Record<string, unknown>>();

/** Adds facts (tenant, return, outcome…) to the request's one log line. Never pass secrets or PII. */
export function logDetails(request: FastifyRequest, facts: Record<string, unknown>): void {
  details.set(request, { ...details.get(request), ...facts });
}

/**
 * The `req` serializer: what request logs say about a request. Never headers (X-Loop-Signature,
 * Authorization, cookies), never the body, and the path without its query string (which may carry a
 * token). `maskPath` hides parts of the path that are credentials themselves, e.g. an onboarding link's
 * token; give it as a route's `logSerializers.req`.
 */
export const requestSummary =
  (maskPath: (path: string) => string = (path) => path) =>
  (request: FastifyRequest) => ({
    method: request.method,
    url: maskPath(request.url.split('?')[0]!),
    remoteAddress: request.ip,
  });

/**
 * One line per request, written when it completes: the request summary (see `requestSummary`), status,
 * time and any `logDetails`. Half the lines — and redaction passes — of Fastify's incoming/completed pair,
 * which matters on the webhook hot path.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime, ...details.get(request) };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
