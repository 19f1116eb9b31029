import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { tenantIdSchema } from '../../config/tenant-settings.ts';
import { describeIssues } from '../../integrations/loop/schemas.ts';
import { TenantNotFoundError } from '../../store/errors.ts';
import type { TenantRecord, TenantStore } from '../../store/tenant-store.ts';
import { returnWorkflowId, sweeperWorkflowId } from '../../workflows/ids.ts';
import { markCompleteUpdate, retryUpdate, stateQuery, type ReturnState } from '../../workflows/messages.ts';
import type { returnWorkflow } from '../../workflows/return-workflow.ts';
import { sweepNowSignal } from '../../workflows/tenant-sweeper.ts';
import type { TemporalDeps } from '../app.ts';
import { adminAuth } from '../plugins/admin-auth.ts';
import { HttpError, serviceUnavailable } from '../plugins/error-handler.ts';

export interface AdminRoutesOptions {
  token: string | undefined;
  store: TenantStore;
  temporal: TemporalDeps;
  temporalTimeoutMs: number;
}

const RETRY_AFTER_SECONDS = 5;

const tenantParams = z.object({ tenantId: tenantIdSchema });
const returnParams = tenantParams.extend({
  loopReturnId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
    error: 'Loop return ID must be 1–64 letters, digits, "-" or "_"',
  }),
});
const text = (field: string, max: number) =>
  z
    .string({ error: `"${field}" is required, as text` })
    .trim()
    .min(1, { error: `"${field}" is required, as text` })
    .max(max, { error: `"${field}" must be at most ${max} characters` });
/** `by` names the operator in the return's timeline. */
const retryBody = z.strictObject({ by: text('by', 200).optional() });
const markCompleteBody = z.strictObject({ by: text('by', 200), reason: text('reason', 1_000) });

function parse<S extends z.ZodType>(schema: S, value: unknown, what: 'path' | 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError(400, `Invalid request ${what}.`, { issues: describeIssues(result.error) });
}

const isTemporalUnavailable = (error: unknown) =>
  error instanceof ServiceError ||
  error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
  isGrpcServiceError(error);

/**
 * The operators' API (JSON, bearer token): tenants, and the return workflows' query and updates, so the CLI
 * needs no Temporal access of its own. Register under `/admin`.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (fastify, options) => {
  const { store, temporalTimeoutMs } = options;
  const { client } = options.temporal;
  await fastify.register(adminAuth, { token: options.token });

  const withinDeadline = <T>(call: () => Promise<T>) =>
    client.withDeadline(Date.now() + temporalTimeoutMs, call);

  async function ofTenant(tenantId: string, change: () => Promise<TenantRecord>) {
    try {
      return { tenant: (await change()).settings };
    } catch (error) {
      if (error instanceof TenantNotFoundError) throw new HttpError(404, `No tenant "${tenantId}".`);
      throw error;
    }
  }

  /** Runs a query or update on the return's workflow, turning Temporal's answers into HTTP ones. */
  async function onReturn(
    params: z.output<typeof returnParams>,
    log: FastifyBaseLogger,
    call: (handle: WorkflowHandle<typeof returnWorkflow>) => Promise<ReturnState>,
  ): Promise<ReturnState> {
    const handle = client.workflow.getHandle<typeof returnWorkflow>(
      returnWorkflowId(params.tenantId, params.loopReturnId),
    );
    try {
      return await withinDeadline(() => call(handle));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        // The validator's refusal, e.g. "Nothing to retry: the return is awaiting-finale-completion (…)".
        throw new HttpError(409, error.cause?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) {
        // Updates to a finished workflow also answer "not found": tell a finished return from a missing one.
        const finished = await withinDeadline(() => handle.describe()).then(
          (description) => description.status.name,
          () => undefined,
        );
        if (finished !== undefined) {
          throw new HttpError(
            409,
            `The return's workflow is ${finished.toLowerCase()}; nothing can change it.`,
          );
        }
        throw new HttpError(
          404,
          `No workflow for Loop return ${params.loopReturnId} of tenant "${params.tenantId}".`,
        );
      }
      if (isTemporalUnavailable(error)) {
        log.warn({ err: error, ...params }, 'Temporal did not answer an admin request in time');
        throw serviceUnavailable(RETRY_AFTER_SECONDS);
      }
      throw error;
    }
  }

  fastify.get('/tenants', async () => ({
    tenants: (await store.listTenants()).map((record) => record.settings),
  }));

  fastify.post('/tenants/:tenantId/pause', async (request) => {
    const { tenantId } = parse(tenantParams, request.params, 'path');
    return ofTenant(tenantId, () => store.pauseTenant(tenantId));
  });

  fastify.post('/tenants/:tenantId/resume', async (request) => {
    const { tenantId } = parse(tenantParams, request.params, 'path');
    const answer = await ofTenant(tenantId, () => store.resumeTenant(tenantId));
    try {
      await withinDeadline(() =>
        client.workflow.getHandle(sweeperWorkflowId(tenantId)).signal(sweepNowSignal),
      );
    } catch (error) {
      // No sweeper yet is fine; any other failure only delays the catch-up to the sweeper's next pass.
      if (!(error instanceof WorkflowNotFoundError)) {
        request.log.warn({ err: error, tenantId }, 'could not wake the tenant sweeper after resuming');
      }
    }
    return answer;
  });

  fastify.get('/tenants/:tenantId/returns/:loopReturnId', async (request) =>
    onReturn(parse(returnParams, request.params, 'path'), request.log, (handle) => handle.query(stateQuery)),
  );

  fastify.post('/tenants/:tenantId/returns/:loopReturnId/retry', async (request) => {
    const params = parse(returnParams, request.params, 'path');
    const { by } = parse(retryBody, request.body ?? {}, 'body');
    return onReturn(params, request.log, (handle) =>
      handle.executeUpdate(retryUpdate, { args: [{ version: 1, ...(by === undefined ? {} : { by }) }] }),
    );
  });

  fastify.post('/tenants/:tenantId/returns/:loopReturnId/mark-complete', async (request) => {
    const params = parse(returnParams, request.params, 'path');
    const { by, reason } = parse(markCompleteBody, request.body ?? {}, 'body');
    return onReturn(params, request.log, (handle) =>
      handle.executeUpdate(markCompleteUpdate, { args: [{ version: 1, by, reason }] }),
    );
  });
};
