import type { FastifyPluginAsync } from 'fastify';
import { metricsRegistry } from '../../observability/metrics.ts';

/** Prometheus scrape endpoint for the process's shared registry (gateway, and the worker under npm start). */
export const metricsRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.get('/metrics', async (_request, reply) =>
    reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()),
  );
};
