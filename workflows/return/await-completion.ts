// Phase 2: the warehouse receives the return and completes (or cancels) it in Finale. The tenant sweeper
// reports that within minutes; a fallback poll checks this return itself, rarely and more rarely as the
// wait goes on, in case the sweeper misses it. An operator may also mark it complete outside Finale.
import { activities, call, pollOptions } from './proxies.ts';
import type { ReturnRun } from './run.ts';

export async function awaitCompletion(run: ReturnRun): Promise<void> {
  const ref = run.state.finaleReturn;
  if (!ref) throw new Error('awaiting completion without a Finale return');
  const since = (run.carry.awaitingSince ??= Date.now());
  while (run.finaleStatusId === undefined) {
    run.enter(
      'awaiting-finale-completion',
      `Waiting for the warehouse to complete Finale return ${ref.returnId}`,
    );
    const woke = await run.step(`await completion of Finale return ${ref.returnId}`, async () => {
      const ended = await run.waitForNudge({
        summary: `Fallback check of Finale return ${ref.returnId}`,
        until: () => run.finaleStatusId !== undefined,
        poll: () =>
          call(
            activities.awaitFinaleCompletion,
            pollOptions,
            `Fallback check of Finale return ${ref.returnId}`,
            {
              tenantId: run.tenantId,
              returnUrl: ref.returnUrl,
              poll: run.pollStart(since),
            },
          ),
      });
      if (ended.kind === 'poll-failed') throw ended.error;
      return ended;
    });
    if (woke.kind === 'polled') {
      run.carry.finaleStatusId = woke.value.statusId;
      if (run.features.destinationsAndReceipts && woke.value.items) run.carry.received = woke.value.items;
      run.record(`fallback check found Finale return ${ref.returnId} ${woke.value.statusId}`);
    }
  }
  // What the warehouse received, when the report carried it: the receipt check then needs no Finale read.
  if (run.features.destinationsAndReceipts) run.carry.received ??= run.reportedItems;
  run.carry.phase = 'update-loop';
}
