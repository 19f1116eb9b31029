// The tenant's returns as the "test with a live return" page shows them: found through Temporal visibility
// (search attributes), with the live state of the ones still running read through their `state` query.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { stateQuery, type ReturnOutcome, type ReturnStage } from '../../workflows/messages.ts';
import { returnWorkflow } from '../../workflows/return-workflow.ts';
import { searchAttributes } from '../../workflows/search-attributes.ts';
import { returnStages } from '../admin/schemas.ts';

export interface TenantReturn {
  loopReturnId: string;
  orderName?: string;
  /** A ReturnStage while the workflow reports one; otherwise how its run ended (e.g. `failed`). */
  stage: ReturnStage | 'failed' | 'stopped';
  waitingFor?: string;
  outcome?: ReturnOutcome;
  finaleReturnId?: string;
  /** The Finale location the return was created at. */
  facilityName?: string;
  /** What the warehouse received differently from what was created, one line per product. */
  receiptDifferences?: string[];
  /** The suggested fix when the return needs attention. */
  fix?: string;
  startedAt: Date;
}

/** A page for a merchant testing with a few returns, not an operations console (that is the Web UI). */
const SHOWN = 20;
/** Per state read: a stuck worker must not hang the page. */
const READ_DEADLINE_MS = 2_000;

const stages: readonly string[] = returnStages;

function fromVisibility(info: WorkflowExecutionInfo): TenantReturn {
  const attributes = info.typedSearchAttributes;
  const stage = attributes.get(searchAttributes.stage);
  const ended = info.status.name;
  return {
    loopReturnId: attributes.get(searchAttributes.loopReturnId) ?? info.workflowId,
    orderName: attributes.get(searchAttributes.orderName),
    finaleReturnId: attributes.get(searchAttributes.finaleReturnId),
    stage:
      ended === 'FAILED' || ended === 'TIMED_OUT'
        ? 'failed'
        : ended === 'TERMINATED' || ended === 'CANCELLED'
          ? 'stopped'
          : stage !== undefined && stages.includes(stage)
            ? (stage as ReturnStage)
            : 'received',
    startedAt: info.startTime,
  };
}

async function withLiveState(client: Client, info: WorkflowExecutionInfo): Promise<TenantReturn> {
  const row = fromVisibility(info);
  const handle = client.workflow.getHandle<typeof returnWorkflow>(info.workflowId, info.runId);
  // A running return answers its state query; a finished one's result is its final state (one read).
  const read =
    info.status.name === 'RUNNING'
      ? () => handle.query(stateQuery)
      : info.status.name === 'COMPLETED'
        ? () => handle.result()
        : undefined;
  if (read === undefined) return row;
  try {
    const state = await client.withDeadline(Date.now() + READ_DEADLINE_MS, read);
    return {
      ...row,
      stage: state.stage,
      orderName: state.orderName ?? row.orderName,
      finaleReturnId: state.finaleReturn?.returnId ?? row.finaleReturnId,
      facilityName: state.finaleReturn?.facilityName,
      receiptDifferences: state.receipt?.differences.map((difference) => difference.line),
      waitingFor: state.waitingFor,
      outcome: state.outcome,
      fix: state.stage === 'needs-attention' ? state.lastError?.fix : undefined,
    };
  } catch {
    // No worker answered in time: the search attributes are a little older but still true.
    return row;
  }
}

/** The tenant's most recent returns, newest first. */
export async function listTenantReturns(client: Client, tenantId: string): Promise<TenantReturn[]> {
  // tenantId is a validated slug, so it cannot break out of the quoted value.
  const query = `${searchAttributes.tenant.name} = "${tenantId}" AND WorkflowType = "${returnWorkflow.name}"`;
  const latest = new Map<string, WorkflowExecutionInfo>();
  let seen = 0;
  for await (const info of client.workflow.list({ query, pageSize: 100 })) {
    // A long wait continues as new: keep each return's latest run.
    const known = latest.get(info.workflowId);
    if (!known || known.startTime < info.startTime) latest.set(info.workflowId, info);
    if (++seen >= 100) break;
  }
  const newest = [...latest.values()]
    .sort((a, b) => b.startTime.getTime() - a.startTime.getTime())
    .slice(0, SHOWN);
  return Promise.all(newest.map((info) => withLiveState(client, info)));
}
