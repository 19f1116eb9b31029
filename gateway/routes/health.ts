import type { FastifyPluginAsync } from 'fastify';
import type { Readiness } from '../readiness.ts';

/** Names the service, so a start-up port check can tell this gateway from another program. */
export const serviceName = 'loop-finale-bridge';
/** Rate-limited per client address (READYZ_RATE_LIMIT_MAX), unlike /healthz, which costs nothing. */
export const readinessPath = '/readyz';

/**
 * Liveness (the process answers) and readiness (its dependencies answer) for load balancers. Public, so
 * they say no more than that: why a dependency fails is in the log and at the admin API's /readiness.
 */
export const healthRoutes: FastifyPluginAsync<{ readiness: Readiness }> = async (fastify, { readiness }) => {
  fastify.get('/healthz', async () => ({ status: 'ok', service: serviceName }));

  fastify.get(readinessPath, async (_request, reply) => {
    const { ready } = await readiness.report();
    return reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not ready' });
  });
};
