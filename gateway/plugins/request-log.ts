import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { maskLinkTokens } from '../public-urls.ts';

const details = new WeakMap<FastifyRequest, Record<string, unknown>>();

/** Adds facts (tenant, return, outcome…) to the request's one log line. Never pass secrets or PII. */
export function logDetails(request: FastifyRequest, facts: Record<string, unknown>): void {
  details.set(request, { ...details.get(request), ...facts });
}

/**
 * The `req` serializer: what request logs say about a request. Never headers (X-Loop-Signature,
 * Authorization, cookies), never the body, and the path without its query string (which may carry a
 * token) and with every onboarding link's token masked, whether or not a route matched.
 */
export const requestSummary = (request: FastifyRequest) => ({
  method: request.method,
  url: maskLinkTokens(request.url.split('?')[0]!),
  remoteAddress: request.ip,
});

/**
 * One line per request, written when it completes: the request summary (see `requestSummary`), status,
 * time and any `logDetails`. Half the lines — and redaction passes — of Fastify's incoming/completed pair,
 * which matters on the webhook hot path.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  /** Fastify's own line quotes the raw URL; the completed line says the same with the path masked. */
  override routeNotFound(): void {}

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
