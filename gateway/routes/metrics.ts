import type { FastifyPluginAsync } from 'fastify';
import { metricsRegistry } from '../../observability/metrics.ts';
import { bearerTokenCheck } from '../plugins/bearer-token.ts';

/**
 * Prometheus scrape endpoint for the process's shared registry (gateway, and the worker under npm start),
 * on the gateway's own port. With a token (METRICS_TOKEN) it answers only a scraper that sends it; the
 * other way to keep it private is GATEWAY_METRICS_ADDRESS, which serves it on an internal address instead.
 */
export const metricsRoutes: FastifyPluginAsync<{ token?: string }> = async (fastify, { token }) => {
  const matches = token === undefined ? undefined : bearerTokenCheck(token);
  fastify.get('/metrics', async (request, reply) => {
    if (matches !== undefined && !matches(request.headers.authorization)) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({
        error: 'Unauthorized',
        message: 'Send the metrics token as "Authorization: Bearer <token>".',
      });
    }
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
};
