// Phase 3: Finale is done with the return, so Loop is told: processed or closed (per the tenant's
// setting), or flagged for review with a note saying why (a flag reason, a receipt that differs from what
// was created, or cancelled in Finale).
import type { LoopUpdate } from '../../activities/return-activities.ts';
import type { ReturnState } from '../messages.ts';
import { receiptToCheck, recordReceipt } from './check-receipt.ts';
import { activities, call, finishOptions } from './proxies.ts';
import { FINALE_CANCELLED, type ReturnRun } from './run.ts';

export async function updateLoop(run: ReturnRun): Promise<ReturnState> {
  const ref = run.state.finaleReturn;
  if (!ref) throw new Error('updating Loop without a Finale return');
  run.enter('updating-loop', 'Updating the return in Loop');
  if (run.finaleStatusId === FINALE_CANCELLED) {
    await run.flagInLoop(`Finale return ${ref.returnId} was cancelled in Finale — review this return`);
    return run.finish(
      'flagged',
      'done',
      `Flagged in Loop: Finale return ${ref.returnId} was cancelled in Finale`,
    );
  }
  const checks = run.features.destinationsAndReceipts;
  const receipt = checks ? receiptToCheck(run, ref) : undefined;
  const reasons = run.state.flagReasons.map((r) => `"${r}"`).join(', ');
  const flagNote =
    reasons === ''
      ? undefined
      : `Held for review: return reason ${reasons} is in Flag Reasons. Finale return ${ref.returnId} is complete.`;
  if (flagNote !== undefined && !checks) {
    await run.flagInLoop(flagNote);
    return run.finish('flagged', 'done', `Flagged in Loop for review (${reasons})`);
  }
  const update = await run.step('complete in Loop', () =>
    call(activities.updateReturnInLoop, finishOptions, `Process or close Loop return ${run.loopReturnId}`, {
      ...run.ids,
      ...(flagNote === undefined ? {} : { flagNote }),
      ...(receipt === undefined ? {} : { receipt }),
    }),
  );
  const received = recordReceipt(run, update);
  if (update.action === 'flag') {
    const why = flagNote === undefined ? '' : ` (${reasons})`;
    return run.finish('flagged', 'done', `Flagged in Loop for review${why}${received}`);
  }
  return completed(run, update, received);
}

function completed(run: ReturnRun, update: LoopUpdate, received: string): ReturnState {
  if (update.action !== 'flag') run.state.completionAction = update.action;
  if (update.result === 'already-cancelled')
    return run.finish('cancelled', 'cancelled', 'Already cancelled in Loop');
  if (update.result === 'already-closed') {
    return run.finish('already-closed-in-loop', 'done', 'Already closed in Loop; nothing to do');
  }
  return update.action === 'process'
    ? run.finish('processed', 'done', `Processed in Loop${received}`)
    : run.finish('closed', 'done', `Closed in Loop${received}`);
}
