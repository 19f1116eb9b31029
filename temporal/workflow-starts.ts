// The one place that knows how return and sweeper workflows are started, so the gateway, the sweeper and
// the CLI all start them with the same IDs, policies, search attributes and Web UI summaries.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { LoopReturn } from '../integrations/loop/loop-return.ts';
import { returnWorkflowId, sweeperWorkflowId } from '../workflows/ids.ts';
import { loopReturnChangedSignal, type LoopReturnChanged } from '../workflows/messages.ts';
import { returnWorkflow } from '../workflows/return-workflow.ts';
import { searchAttributes } from '../workflows/search-attributes.ts';
import { tenantSweeperWorkflow } from '../workflows/tenant-sweeper.ts';

export interface ReturnStart {
  tenantId: string;
  loopReturnId: string;
  /** PII-free snapshot from the webhook or a Loop list call; spares the workflow one Loop read. */
  loopReturn?: LoopReturn;
}

function returnStartOptions(taskQueue: string, start: ReturnStart) {
  const orderName = start.loopReturn?.orderName;
  return {
    taskQueue,
    workflowId: returnWorkflowId(start.tenantId, start.loopReturnId),
    args: [{ version: 1 as const, ...start }] as [Parameters<typeof returnWorkflow>[0]],
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

/** Tells the return's workflow that Loop changed it, starting the workflow if it has never run. */
export async function signalReturnChanged(
  client: Client,
  taskQueue: string,
  start: ReturnStart,
  change: LoopReturnChanged,
): Promise<WorkflowHandle | undefined> {
  try {
    return await client.workflow.signalWithStart(returnWorkflow, {
      ...returnStartOptions(taskQueue, start),
      signal: loopReturnChangedSignal,
      signalArgs: [change],
    });
  } catch (error) {
    // The return's workflow already finished: nothing left to tell it.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw error;
  }
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
