// The one place that knows how return and sweeper workflows are started, so the gateway, the sweeper and
// the CLI all start them with the same IDs, policies, search attributes and Web UI summaries.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LoopReturn } from '../integrations/loop/loop-return.ts';
import { returnWorkflowId, sweeperWorkflowId } from '../workflows/ids.ts';
import { loopReturnChangedSignal, type LoopReturnChanged, type ReturnOrigin } from '../workflows/messages.ts';
import { returnWorkflow } from '../workflows/return-workflow.ts';
import { searchAttributes } from '../workflows/search-attributes.ts';
import { tenantSweeperWorkflow } from '../workflows/tenant-sweeper.ts';

export interface ReturnStart {
  tenantId: string;
  loopReturnId: string;
  /** PII-free snapshot from the webhook or a Loop list call; spares the workflow one Loop read. */
  loopReturn?: LoopReturn;
  /** Who starts it; a `late-webhook` start reads the return from Loop before acting. */
  origin?: ReturnOrigin;
  /** Tests and benchmarks lower it to exercise continue-as-new from every wait. */
  continueAsNewAfterEvents?: number;
}

function returnStartOptions(taskQueue: string, start: ReturnStart) {
  const orderName = start.loopReturn?.orderName;
  return {
    taskQueue,
    workflowId: returnWorkflowId(start.tenantId, start.loopReturnId),
    args: [{ version: 1 as const, ...start, origin: start.origin ?? 'return.created' }] as [
      Parameters<typeof returnWorkflow>[0],
    ],
    // A finished return is never started again, whatever arrives later.
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: searchAttributes.tenant, value: start.tenantId },
      { key: searchAttributes.loopReturnId, value: start.loopReturnId },
      { key: searchAttributes.stage, value: 'received' },
      ...(orderName ? [{ key: searchAttributes.orderName, value: orderName }] : []),
    ],
    staticSummary: `Loop return ${start.loopReturnId}${orderName ? ` (order ${orderName})` : ''} → Finale, tenant ${start.tenantId}`,
    staticDetails:
      'Creates the Finale return, waits for the warehouse to complete it, then processes, closes or flags ' +
      'the Loop return. Query `state` for the timeline; signal `retry` (or update `retryNow`) to resume a ' +
      'return in needs-attention; update `markComplete` when the warehouse finished it outside Finale.',
  };
}

/**
 * Starts the return's workflow, or does nothing when it already exists (a duplicate webhook). Returns
 * whether a new workflow was started.
 */
export async function startReturnWorkflow(
  client: Client,
  taskQueue: string,
  start: ReturnStart,
): Promise<boolean> {
  try {
    await client.workflow.start(returnWorkflow, {
      ...returnStartOptions(taskQueue, start),
      workflowIdConflictPolicy: 'FAIL',
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}

export type LoopChangeDelivery = 'signalled' | 'started' | 'already-finished';

/**
 * Tells the return's workflow that Loop changed the return. Only a new return starts a workflow, so when
 * none is running (it finished, and may be gone past retention, or has not started yet) a workflow is
 * started only if the webhook says the return is open; that workflow reads the return from Loop first and
 * finds any Finale return an earlier workflow made, so it never acts twice. A finished workflow still
 * retained refuses the start (`REJECT_DUPLICATE`).
 */
export async function deliverLoopChange(
  client: Client,
  taskQueue: string,
  start: ReturnStart,
  change: LoopReturnChanged,
): Promise<LoopChangeDelivery> {
  try {
    await client.workflow
      .getHandle(returnWorkflowId(start.tenantId, start.loopReturnId))
      .signal(loopReturnChangedSignal, change);
    return 'signalled';
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  if (start.loopReturn?.state !== 'open') return 'already-finished';
  return (await startReturnWorkflow(client, taskQueue, { ...start, origin: 'late-webhook' }))
    ? 'started'
    : 'already-finished';
}

/** Starts the tenant's sweeper unless it is already running. */
export async function startTenantSweeper(client: Client, taskQueue: string, tenantId: string): Promise<void> {
  await client.workflow.start(tenantSweeperWorkflow, {
    taskQueue,
    workflowId: sweeperWorkflowId(tenantId),
    args: [{ version: 1, tenantId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: searchAttributes.tenant, value: tenantId }],
    staticSummary: `Sweeper for tenant ${tenantId}`,
    staticDetails:
      'Every few minutes: one filtered Finale read for completed or cancelled returns (each matching return ' +
      'workflow is signalled) and one Loop list call that starts any return a missed webhook never started.',
  });
}
