// Phase 3: Finale is done with the return, so Loop is told: processed or closed (per the tenant's
// setting), or flagged for review with a note saying why (a flag reason, or cancelled in Finale).
import type { ReturnState } from '../messages.ts';
import { activities, call, stepOptions } from './proxies.ts';
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
  if (run.state.flagReasons.length > 0) {
    const reasons = run.state.flagReasons.map((r) => `"${r}"`).join(', ');
    await run.flagInLoop(
      `Held for review: return reason ${reasons} is in Flag Reasons. Finale return ${ref.returnId} is complete.`,
    );
    return run.finish('flagged', 'done', `Flagged in Loop for review (${reasons})`);
  }
  const update = await run.step('complete in Loop', () =>
    call(
      activities.updateReturnInLoop,
      stepOptions,
      `Process or close Loop return ${run.loopReturnId}`,
      run.ids,
    ),
  );
  if (update.action !== 'flag') run.state.completionAction = update.action;
  if (update.result === 'already-cancelled')
    return run.finish('cancelled', 'cancelled', 'Already cancelled in Loop');
  if (update.result === 'already-closed') {
    return run.finish('already-closed-in-loop', 'done', 'Already closed in Loop; nothing to do');
  }
  return update.action === 'process'
    ? run.finish('processed', 'done', 'Processed in Loop')
    : run.finish('closed', 'done', 'Closed in Loop');
}
