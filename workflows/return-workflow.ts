// One durable workflow per Loop return: Loop return → Finale return → (warehouse completes) → Loop updated.
// Deterministic orchestration only; every call to Loop, Finale or the store is an activity. The phases live
// in workflows/return/, the run's state and its wait helpers in workflows/return/run.ts.
import { patched, setHandler } from '@temporalio/workflow';
import {
  finaleReturnChangedSignal,
  fixLinesUpdate,
  loopReturnChangedSignal,
  markCompleteUpdate,
  retrySignal,
  retryUpdate,
  stateQuery,
  tenantResumedSignal,
  type FixLines,
  type MarkComplete,
  type ReturnState,
  type ReturnWorkflowInput,
} from './messages.ts';
import { awaitCompletion } from './return/await-completion.ts';
import { createInFinale } from './return/create-in-finale.ts';
import { activities, call, stepOptions } from './return/proxies.ts';
import { ReturnCancelledInLoop, ReturnRun } from './return/run.ts';
import { updateLoop } from './return/update-loop.ts';
import { returnWorkflowV1 } from './return/v1-return-workflow.ts';

/** Marks every run of the second generation; a history without it replays on v1. */
export const V2_PATCH = 'return-workflow-v2';
/** Runs that route by Loop destination and check receipts (workflows/return/run.ts, ReturnFeatures). */
export const DESTINATIONS_PATCH = 'destinations-and-receipts';

export async function returnWorkflow(input: ReturnWorkflowInput): Promise<ReturnState> {
  if (!patched(V2_PATCH)) return returnWorkflowV1(input);
  // Decided in the first workflow task, beside the v2 marker: no action of its own.
  const run = new ReturnRun(input, { destinationsAndReceipts: patched(DESTINATIONS_PATCH) });

  // Handlers first, so the state can be queried from the very first moment.
  setHandler(stateQuery, () => run.state);
  setHandler(retrySignal, (request) => {
    run.onRetry(request.by);
  });
  setHandler(retryUpdate, (request) => run.onRetry(request.by), {
    validator: (_request) => run.validateRetry(),
  });
  setHandler(loopReturnChangedSignal, (change) => run.onLoopChanged(change));
  setHandler(finaleReturnChangedSignal, (change) => run.onFinaleChanged(change));
  setHandler(tenantResumedSignal, () => {
    run.resumed = true;
  });
  setHandler(markCompleteUpdate, (request) => run.onMarkComplete(request), {
    validator: (request: MarkComplete) => run.validateMarkComplete(request),
  });
  setHandler(fixLinesUpdate, (request) => run.onFixLines(request), {
    validator: (request: FixLines) => run.validateFixLines(request),
  });

  try {
    if (run.carry.phase === 'create-in-finale') {
      const ended = await createInFinale(run);
      if (ended) return ended;
    }
    if (run.carry.phase === 'await-completion') await awaitCompletion(run);
    return await updateLoop(run);
  } catch (error) {
    if (!(error instanceof ReturnCancelledInLoop)) throw error;
    return cancelled(run);
  }
}

/** Loop cancelled the return: the Finale return, if one was made, is cancelled too. */
async function cancelled(run: ReturnRun): Promise<ReturnState> {
  const ref = run.state.finaleReturn;
  if (!ref)
    return run.finish('cancelled', 'cancelled', 'Cancelled in Loop before a Finale return was created');
  await run.step('cancel Finale return', () =>
    call(activities.cancelReturnInFinale, stepOptions, `Cancel Finale return ${ref.returnId}`, {
      tenantId: run.tenantId,
      returnUrl: ref.returnUrl,
    }),
  );
  return run.finish('cancelled', 'cancelled', `Cancelled in Loop; Finale return ${ref.returnId} cancelled`);
}
