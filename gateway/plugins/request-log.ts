import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const details = new WeakMap<FastifyRequest, Record<string, unknown>>();

/** Adds facts (tenant, return, outcome…) to the request's one log line. Never pass secrets or PII. */
export function logDetails(request: FastifyRequest, facts: Record<string, unknown>): void {
  details.set(request, { ...details.get(request), ...facts });
}

/**
 * One line per request, written when it completes: the request summary (see the server's `req`
 * serializer), status, time and any `logDetails`. Half the lines — and redaction passes — of Fastify's
 * incoming/completed pair, which matters on the webhook hot path.
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
