// The ledger at the end of a soak: every Loop return in its expected final state, drawn from the simulators'
// own records (Loop's states and the actions called through its API, Finale's returns) and from Temporal
// (each return's workflow and its outcome, and every workflow that failed or is still running).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { returnWorkflowId } from '../workflows/ids.ts';
import type { ReturnState } from '../workflows/messages.ts';
import type { FinaleReturnRecord } from './warehouse.ts';
import type { SimControl } from './sim-control.ts';
import type { Fate, SubmittedReturn } from './world.ts';

interface LoopAction {
  action: string;
  accepted: boolean;
  changed: boolean;
}

export interface LoopReturnView {
  state: string;
  notes: unknown[];
  actions: LoopAction[];
  return: { id: number };
}

/** What each fate must end as. */
interface Expectation {
  loopState: string;
  /** The one action that changed the Loop return (none when Loop itself cancelled it). */
  loopAction: 'process' | 'flag' | undefined;
  /** Allowed statuses of its one Finale return; `optional` when it may never have been created. */
  finaleStatus: string;
  finaleOptional: boolean;
  outcomes: string[];
  /** The workflow may be missing: a return cancelled in Loop before any workflow started needs none. */
  workflowOptional: boolean;
}

const expectations: Record<Fate, Expectation> = {
  complete: {
    loopState: 'closed',
    loopAction: 'process',
    finaleStatus: 'RETURN_COMPLETED',
    finaleOptional: false,
    // A process applied whose answer was lost is found closed on the retry.
    outcomes: ['processed', 'already-closed-in-loop'],
    workflowOptional: false,
  },
  'flag-reason': {
    loopState: 'review',
    loopAction: 'flag',
    finaleStatus: 'RETURN_COMPLETED',
    finaleOptional: false,
    outcomes: ['flagged'],
    workflowOptional: false,
  },
  'finale-cancel': {
    loopState: 'review',
    loopAction: 'flag',
    finaleStatus: 'RETURN_CANCELLED',
    finaleOptional: false,
    outcomes: ['flagged'],
    workflowOptional: false,
  },
  'loop-cancel': {
    loopState: 'cancelled',
    loopAction: undefined,
    finaleStatus: 'RETURN_CANCELLED',
    finaleOptional: true,
    outcomes: ['cancelled'],
    workflowOptional: true,
  },
};

export interface LedgerRow {
  submitted: SubmittedReturn;
  loopState: string;
  finaleStatuses: string[];
  changingActions: string[];
  workflow: string;
  outcome?: string;
  problems: string[];
}

export interface Ledger {
  rows: LedgerRow[];
  /** Finale returns that no submitted Loop return explains. */
  strayFinaleReturns: string[];
  /** Workflows by execution status across the namespace (the soak's Temporal server holds nothing else). */
  workflowsByStatus: Record<string, number>;
  runningReturnWorkflows: number;
  problems: number;
}

const finaleReturnIdOf = (loopReturnId: number) => `LOOP-${loopReturnId}`;

/** The sims' view, cheap enough to poll: which returns are not yet in their final state there. */
export async function unsettledInSimulators(
  sims: { finale: SimControl; loop: SimControl },
  submitted: SubmittedReturn[],
  finaleReturns: () => Promise<FinaleReturnRecord[]>,
): Promise<SubmittedReturn[]> {
  const [{ returns }, finale] = await Promise.all([
    sims.loop.get<{ returns: LoopReturnView[] }>('/returns'),
    finaleReturns(),
  ]);
  const loopState = new Map(returns.map((r) => [r.return.id, r.state]));
  const finaleStatus = new Map(finale.map((r) => [r.returnId, r.statusId]));
  return submitted.filter((r) => {
    const expected = expectations[r.fate];
    const status = finaleStatus.get(finaleReturnIdOf(r.loopReturnId));
    const finaleDone = status === undefined ? expected.finaleOptional : status === expected.finaleStatus;
    return loopState.get(r.loopReturnId) !== expected.loopState || !finaleDone;
  });
}

export async function countWorkflows(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

export async function runningReturnWorkflows(client: Client): Promise<number> {
  return countWorkflows(client, 'WorkflowType = "returnWorkflow" AND ExecutionStatus = "Running"');
}

/** One return's row of the ledger: what the simulators and Temporal hold for it, and how that differs from its fate. */
export function checkReturn(
  submitted: SubmittedReturn,
  loop: LoopReturnView | undefined,
  finale: Pick<FinaleReturnRecord, 'statusId'>[],
  workflow: { status: string; outcome?: string },
): LedgerRow {
  const expected = expectations[submitted.fate];
  const problems: string[] = [];
  const finaleStatuses = finale.map((f) => f.statusId);
  const changingActions = (loop?.actions ?? []).filter((a) => a.changed).map((a) => a.action);

  const loopState = loop?.state ?? 'missing';
  if (loopState !== expected.loopState) problems.push(`Loop ${loopState}, expected ${expected.loopState}`);
  const wantedActions = expected.loopAction ? [expected.loopAction] : [];
  if (changingActions.join() !== wantedActions.join()) {
    problems.push(
      `Loop actions that changed it: [${changingActions.join(', ')}], expected [${wantedActions.join(', ')}]`,
    );
  }
  // A flagged return tells the merchant why in a note.
  if (expected.loopAction === 'flag' && (loop?.notes.length ?? 0) === 0)
    problems.push('flagged without a note');
  if (finale.length > 1) problems.push(`${finale.length} Finale returns`);
  if (finale.length === 0 && !expected.finaleOptional) problems.push('no Finale return');
  if (finaleStatuses.some((status) => status !== expected.finaleStatus)) {
    problems.push(`Finale ${finaleStatuses.join(', ')}, expected ${expected.finaleStatus}`);
  }

  if (workflow.status === 'none') {
    if (!expected.workflowOptional || finale.length > 0) problems.push('no workflow');
  } else if (workflow.status !== 'COMPLETED') {
    problems.push(`workflow ${workflow.status}`);
  } else if (!expected.outcomes.includes(workflow.outcome ?? '')) {
    problems.push(`outcome ${workflow.outcome}, expected ${expected.outcomes.join(' or ')}`);
  }
  return {
    submitted,
    loopState,
    finaleStatuses,
    changingActions,
    workflow: workflow.status,
    outcome: workflow.outcome,
    problems,
  };
}

const statuses = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'];

export async function drawLedger(options: {
  sims: { finale: SimControl; loop: SimControl };
  client: Client;
  tenantId: string;
  submitted: SubmittedReturn[];
  finaleReturns: FinaleReturnRecord[];
}): Promise<Ledger> {
  const { sims, client, tenantId, submitted, finaleReturns } = options;
  const { returns } = await sims.loop.get<{ returns: LoopReturnView[] }>('/returns');
  const loopViews = new Map(returns.map((r) => [r.return.id, r]));
  const finaleById = new Map<string, FinaleReturnRecord[]>();
  for (const record of finaleReturns) {
    finaleById.set(record.returnId, [...(finaleById.get(record.returnId) ?? []), record]);
  }

  const limit = pLimit(16);
  const rows = await Promise.all(
    submitted.map((r) =>
      limit(async (): Promise<LedgerRow> => {
        const handle = client.workflow.getHandle(returnWorkflowId(tenantId, String(r.loopReturnId)));
        let workflow = 'none';
        let outcome: string | undefined;
        try {
          workflow = (await handle.describe()).status.name;
          if (workflow === 'COMPLETED') outcome = ((await handle.result()) as ReturnState).outcome;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
        return checkReturn(
          r,
          loopViews.get(r.loopReturnId),
          finaleById.get(finaleReturnIdOf(r.loopReturnId)) ?? [],
          { status: workflow, outcome },
        );
      }),
    ),
  );

  const known = new Set(submitted.map((r) => finaleReturnIdOf(r.loopReturnId)));
  const strayFinaleReturns = finaleReturns.filter((f) => !known.has(f.returnId)).map((f) => f.returnId);
  const workflowsByStatus: Record<string, number> = {};
  for (const status of statuses) {
    workflowsByStatus[status] = await countWorkflows(client, `ExecutionStatus = "${status}"`);
  }
  const running = await runningReturnWorkflows(client);
  const broken =
    workflowsByStatus.Failed! +
    workflowsByStatus.Terminated! +
    workflowsByStatus.TimedOut! +
    workflowsByStatus.Canceled!;
  return {
    rows,
    strayFinaleReturns,
    workflowsByStatus,
    runningReturnWorkflows: running,
    problems:
      rows.filter((row) => row.problems.length > 0).length + strayFinaleReturns.length + broken + running,
  };
}
