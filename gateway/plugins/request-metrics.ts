import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { httpRequestDuration } from '../../observability/gateway-metrics.ts';

/** Times every answer by route pattern (never the raw URL, which carries tenant IDs and tokens). */
export const requestMetrics = fp(
  async (fastify: FastifyInstance) => {
    fastify.addHook('onResponse', async (request, reply) => {
      httpRequestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1_000,
      );
    });
  },
  { name: 'request-metrics' },
);
