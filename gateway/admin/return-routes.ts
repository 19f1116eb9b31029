import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { TenantStore } from '../../store/tenant-store.ts';
import { retryParkedReturns } from '../../temporal/retry-parked.ts';
import { returnWorkflowId } from '../../workflows/ids.ts';
import {
  fixLinesUpdate,
  markCompleteUpdate,
  retryUpdate,
  stateQuery,
  type ReturnState,
} from '../../workflows/messages.ts';
import type { returnWorkflow } from '../../workflows/return-workflow.ts';
import type { TemporalDeps } from '../app.ts';
import { HttpError, serviceUnavailable } from '../plugins/error-handler.ts';
import {
  errorAnswers,
  fixLinesBody,
  markCompleteBody,
  retryBody,
  retryParkedAnswer,
  retryParkedBody,
  returnParams,
  returnStateSchema,
  tenantParams,
} from './schemas.ts';

export interface ReturnRoutesOptions {
  store: TenantStore;
  temporal: TemporalDeps;
  temporalTimeoutMs: number;
}

/** How long a retry of every parked return waits for its batch to finish before answering with partial counts. */
const RETRY_PARKED_WAIT_MS = 10_000;

const RETRY_AFTER_SECONDS = 5;

const isTemporalUnavailable = (error: unknown) =>
  error instanceof ServiceError ||
  error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
  isGrpcServiceError(error);

/**
 * One return's workflow: its `state` query and the operators' updates, so the CLI needs no Temporal access
 * of its own. Every answer is the return's state.
 */
export const returnRoutes: FastifyPluginAsyncZod<ReturnRoutesOptions> = async (fastify, options) => {
  const { temporalTimeoutMs } = options;
  const { client } = options.temporal;
  const tags = ['returns'];
  const answers = { 200: returnStateSchema, ...errorAnswers(400, 401, 404, 409, 503) };

  const withinDeadline = <T>(call: () => Promise<T>) =>
    client.withDeadline(Date.now() + temporalTimeoutMs, call);

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

  fastify.get(
    '/tenants/:tenantId/returns/:loopReturnId',
    {
      schema: {
        summary: 'The return’s stage, what it waits for, its last error with the suggested fix, its timeline',
        tags,
        params: returnParams,
        response: answers,
      },
    },
    async (request) => onReturn(request.params, request.log, (handle) => handle.query(stateQuery)),
  );

  fastify.post(
    '/tenants/:tenantId/returns/:loopReturnId/retry',
    {
      schema: {
        summary: 'Resume a return parked in needs-attention now, instead of at its next automatic re-check',
        tags,
        params: returnParams,
        body: retryBody,
        response: answers,
      },
    },
    async (request) => {
      const { by } = request.body;
      return onReturn(request.params, request.log, (handle) =>
        handle.executeUpdate(retryUpdate, { args: [{ version: 1, ...(by === undefined ? {} : { by }) }] }),
      );
    },
  );

  fastify.post(
    '/tenants/:tenantId/retry-parked',
    {
      schema: {
        summary:
          'Resume every return of the tenant parked in needs-attention (optionally only those on one issue ' +
          'code) with one Temporal batch signal; answers how many it matched and nudged',
        tags,
        params: tenantParams,
        body: retryParkedBody,
        response: { 200: retryParkedAnswer, ...errorAnswers(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { code, by } = request.body;
      if (!(await options.store.getTenant(tenantId))) throw new HttpError(404, `No tenant "${tenantId}".`);
      try {
        const result = await retryParkedReturns(
          client,
          { tenantId, codes: code === undefined ? undefined : [code], by: by ?? 'an operator (admin API)' },
          { waitMs: RETRY_PARKED_WAIT_MS },
        );
        request.log.info({ tenantId, code, ...result }, 'retried the parked returns of a tenant');
        return { tenantId, code: code ?? null, ...result };
      } catch (error) {
        if (isTemporalUnavailable(error)) {
          request.log.warn({ err: error, tenantId }, 'Temporal did not start the batch retry');
          throw serviceUnavailable(RETRY_AFTER_SECONDS);
        }
        throw error;
      }
    },
  );

  fastify.post(
    '/tenants/:tenantId/returns/:loopReturnId/mark-complete',
    {
      schema: {
        summary: 'The warehouse finished the return outside Finale: continue as if Finale had completed it',
        tags,
        params: returnParams,
        body: markCompleteBody,
        response: answers,
      },
    },
    async (request) => {
      const { by, reason } = request.body;
      return onReturn(request.params, request.log, (handle) =>
        handle.executeUpdate(markCompleteUpdate, { args: [{ version: 1, by, reason }] }),
      );
    },
  );

  fastify.post(
    '/tenants/:tenantId/returns/:loopReturnId/fix-lines',
    {
      schema: {
        summary:
          'Lines Loop sent without a SKU: give each its Finale product, or continue without them; the return resumes',
        tags,
        params: returnParams,
        body: fixLinesBody,
        response: answers,
      },
    },
    async (request) => {
      const { by, lines, skipLinesWithoutSku } = request.body;
      return onReturn(request.params, request.log, (handle) =>
        handle.executeUpdate(fixLinesUpdate, {
          args: [
            {
              version: 1,
              by,
              ...(lines === undefined ? {} : { lines }),
              ...(skipLinesWithoutSku === undefined ? {} : { skipLinesWithoutSku }),
            },
          ],
        }),
      );
    },
  );
};
