// Retries every parked return of a tenant at once with one Temporal batch operation: the server signals
// each workflow its visibility query matches, so the gateway never loops over workflow IDs. The query is
// built only from validated values (a tenant ID slug, issue codes that are identifiers).
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { toPayloads, type Payload } from '@temporalio/common';
import { tenantIdSchema } from '../config/tenant-settings.ts';
import { configIssueCodes, ISSUE_CODE_PATTERN } from '../workflows/issue-codes.ts';
import { retrySignal, type RetryRequest } from '../workflows/messages.ts';
import { returnWorkflow } from '../workflows/return-workflow.ts';
import { searchAttributes } from '../workflows/search-attributes.ts';

/**
 * `temporal.api.enums.v1.BatchOperationState.BATCH_OPERATION_STATE_RUNNING`. Written out: @temporalio/proto
 * is CommonJS without named exports Node can see, and not a dependency of this project in its own right.
 */
const BATCH_OPERATION_STATE_RUNNING = 1;

export interface RetryParkedRequest {
  tenantId: string;
  /** Only returns parked on these issue codes; every parked return when absent. */
  codes?: readonly string[];
  /** Who asked, for each return's timeline and the batch's reason. */
  by: string;
}

export interface RetryParkedResult {
  /** The batch operation, as the Web UI and `temporal batch describe` know it. */
  jobId: string;
  /** Parked returns the query matched. */
  matched: number;
  /** Of those, signalled so far. */
  nudged: number;
  failed: number;
  /** False when the batch was still running after the wait: the counts are then partial. */
  finished: boolean;
}

export class InvalidRetryFilterError extends Error {}

const quoted = (value: string) => `"${value}"`;

/**
 * The visibility query for a tenant's parked returns. Every value is checked against a strict pattern
 * before it is quoted into the query, so no input can change the query's meaning.
 */
export function parkedReturnsQuery(tenantId: string, codes?: readonly string[]): string {
  const tenant = tenantIdSchema.safeParse(tenantId);
  if (!tenant.success) throw new InvalidRetryFilterError(`"${tenantId}" is not a tenant ID`);
  const clauses = [
    `${searchAttributes.tenant.name} = ${quoted(tenant.data)}`,
    `WorkflowType = ${quoted(returnWorkflow.name)}`,
    `ExecutionStatus = "Running"`,
    `${searchAttributes.stage.name} = "needs-attention"`,
  ];
  if (codes !== undefined) {
    const bad = codes.find((code) => !ISSUE_CODE_PATTERN.test(code));
    if (bad !== undefined) {
      throw new InvalidRetryFilterError(`"${bad}" is not an issue code (such as FacilityNotFound)`);
    }
    if (codes.length === 0) throw new InvalidRetryFilterError('Give at least one issue code');
    clauses.push(`${searchAttributes.issueCode.name} IN (${codes.map(quoted).join(', ')})`);
  }
  return clauses.join(' AND ');
}

const isResourceExhausted = (error: unknown) =>
  isGrpcServiceError(error) && error.code === GrpcStatus.RESOURCE_EXHAUSTED;

export interface RetryParkedOptions {
  /** How long to wait for the batch to finish before answering with partial counts. */
  waitMs?: number;
  /** Between looks at the batch's progress. */
  pollMs?: number;
}

/** The signal's argument as the client would send it: the payload converter, then any codecs. */
async function encodeSignal(
  converter: Client['options']['loadedDataConverter'],
  value: RetryRequest,
): Promise<Payload[]> {
  let payloads = toPayloads(converter.payloadConverter, value) ?? [];
  for (const codec of converter.payloadCodecs) payloads = await codec.encode(payloads);
  return payloads;
}

/**
 * Signals `retry` to each of the tenant's parked returns (optionally only those on some issue codes) with
 * one batch operation, and answers how many it matched and nudged. Temporal runs few batch operations per
 * namespace at once (one, by default): a refusal for that reason is tried again within the wait.
 */
export async function retryParkedReturns(
  client: Client,
  request: RetryParkedRequest,
  options: RetryParkedOptions = {},
): Promise<RetryParkedResult> {
  const query = parkedReturnsQuery(request.tenantId, request.codes);
  const waitMs = options.waitMs ?? 15_000;
  const pollMs = options.pollMs ?? 250;
  const deadline = Date.now() + waitMs;
  const { namespace, loadedDataConverter } = client.options;
  const service = client.workflowService;
  const jobId = `retry-parked-${request.tenantId}-${randomUUID()}`;
  const retry: RetryRequest = { version: 1, by: request.by };
  const input = { payloads: await encodeSignal(loadedDataConverter, retry) };
  const codes = request.codes ? ` on ${request.codes.join(', ')}` : '';

  for (;;) {
    try {
      await service.startBatchOperation({
        namespace,
        jobId,
        visibilityQuery: query,
        reason: `Retry the parked returns of tenant ${request.tenantId}${codes} (${request.by})`,
        signalOperation: { signal: retrySignal.name, input, identity: request.by },
      });
      break;
    } catch (error) {
      if (!isResourceExhausted(error) || Date.now() + pollMs > deadline) throw error;
      await delay(pollMs);
    }
  }

  for (;;) {
    const described = await service.describeBatchOperation({ namespace, jobId });
    const finished = Number(described.state) !== BATCH_OPERATION_STATE_RUNNING;
    if (finished || Date.now() + pollMs > deadline) {
      return {
        jobId,
        matched: Number(described.totalOperationCount ?? 0),
        nudged: Number(described.completeOperationCount ?? 0),
        failed: Number(described.failureOperationCount ?? 0),
        finished,
      };
    }
    await delay(pollMs);
  }
}

/** After a settings change: the returns parked on something only a setting or a credential could fix. */
export const retryConfigParkedReturns = (
  client: Client,
  tenantId: string,
  by: string,
  options?: RetryParkedOptions,
) => retryParkedReturns(client, { tenantId, codes: configIssueCodes, by }, options);
