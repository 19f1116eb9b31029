import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readiness } from '../readiness.ts';
import { errorAnswers, readinessAnswer } from './schemas.ts';

/** The details behind the public /readyz: each dependency check and why it failed. */
export const readinessRoutes: FastifyPluginAsyncZod<{ readiness: Readiness }> = async (
  fastify,
  { readiness },
) => {
  fastify.get(
    '/readiness',
    {
      schema: {
        summary: 'Each dependency check behind /readyz, with why it failed',
        tags: ['service'],
        response: { 200: readinessAnswer, ...errorAnswers(401) },
      },
    },
    async () => {
      const report = await readiness.report();
      return {
        status: report.ready ? ('ready' as const) : ('not ready' as const),
        checkedAt: report.checkedAt.toISOString(),
        checks: report.checks,
      };
    },
  );
};
