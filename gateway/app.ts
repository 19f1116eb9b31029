import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { healthRoutes, type ReadinessCheck } from './routes/health.ts';

export interface AppOptions {
  /** Dependencies whose reachability decides /readyz, by name. */
  readinessChecks?: Record<string, ReadinessCheck>;
}

/**
 * The gateway as a Fastify plugin: the server entry point and tests register it the same way. Wrapped with
 * fastify-plugin so its error and not-found handlers apply to the whole instance.
 */
export const app = fp<AppOptions>(
  async (fastify: FastifyInstance, options) => {
    fastify.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        return reply
          .status(status)
          .send({ error: 'Internal Server Error', message: 'Something went wrong.' });
      }
      return reply.status(status).send({ error: error.code ?? 'Bad Request', message: error.message });
    });

    fastify.setNotFoundHandler((request, reply) =>
      reply
        .status(404)
        .send({ error: 'Not Found', message: `No route for ${request.method} ${request.url}` }),
    );

    await fastify.register(healthRoutes, { checks: options.readinessChecks ?? {} });
  },
  { name: 'gateway-app' },
);
