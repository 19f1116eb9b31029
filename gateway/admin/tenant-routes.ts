import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TenantNotFoundError } from '../../store/errors.ts';
import type { TenantRecord, TenantStore } from '../../store/tenant-store.ts';
import { sweeperWorkflowId } from '../../workflows/ids.ts';
import { sweepNowSignal } from '../../workflows/tenant-sweeper.ts';
import type { TemporalDeps } from '../app.ts';
import { HttpError } from '../plugins/error-handler.ts';
import { errorAnswers, tenantAnswer, tenantParams, tenantsAnswer } from './schemas.ts';

export interface TenantRoutesOptions {
  store: TenantStore;
  temporal: TemporalDeps;
  temporalTimeoutMs: number;
}

/** Tenants: list them, and pause or resume one (a resumed tenant's sweeper catches up at once). */
export const tenantRoutes: FastifyPluginAsyncZod<TenantRoutesOptions> = async (fastify, options) => {
  const { store, temporalTimeoutMs } = options;
  const { client } = options.temporal;
  const tags = ['tenants'];

  async function ofTenant(tenantId: string, change: () => Promise<TenantRecord>) {
    try {
      return { tenant: (await change()).settings };
    } catch (error) {
      if (error instanceof TenantNotFoundError) throw new HttpError(404, `No tenant "${tenantId}".`);
      throw error;
    }
  }

  fastify.get(
    '/tenants',
    {
      schema: {
        summary: 'Every tenant’s settings (never its secrets)',
        tags,
        response: { 200: tenantsAnswer, ...errorAnswers(401) },
      },
    },
    async () => ({ tenants: (await store.listTenants()).map((record) => record.settings) }),
  );

  fastify.post(
    '/tenants/:tenantId/pause',
    {
      schema: {
        summary: 'Pause a tenant: its returns wait, and its sweeper idles, until it is resumed',
        tags,
        params: tenantParams,
        response: { 200: tenantAnswer, ...errorAnswers(400, 401, 404) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      return ofTenant(tenantId, () => store.pauseTenant(tenantId));
    },
  );

  fastify.post(
    '/tenants/:tenantId/resume',
    {
      schema: {
        summary: 'Resume a paused tenant and wake its sweeper to catch up',
        tags,
        params: tenantParams,
        response: { 200: tenantAnswer, ...errorAnswers(400, 401, 404) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const answer = await ofTenant(tenantId, () => store.resumeTenant(tenantId));
      try {
        await client.withDeadline(Date.now() + temporalTimeoutMs, () =>
          client.workflow.getHandle(sweeperWorkflowId(tenantId)).signal(sweepNowSignal),
        );
      } catch (error) {
        // No sweeper yet is fine; any other failure only delays the catch-up to the sweeper's next pass.
        if (!(error instanceof WorkflowNotFoundError)) {
          request.log.warn({ err: error, tenantId }, 'could not wake the tenant sweeper after resuming');
        }
      }
      return answer;
    },
  );
};
