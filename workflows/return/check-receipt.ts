// The received-quantity check, for runs that make it: before Loop is updated, what the warehouse received is
// compared with what the Finale return was created with. The comparison runs in the Loop update's activity,
// which reads the completed return only when no report carried its lines, and which flags the Loop return
// on any difference (or, by the tenant's setting, completes it anyway), with a note listing them.
import type { LoopUpdate, ReceiptInput } from '../../activities/return-activities.ts';
import type { FinaleReturnRef } from '../messages.ts';
import type { ReturnRun } from './run.ts';

/** What the Loop update should check, or undefined (with the reason in the timeline) when nothing can be. */
export function receiptToCheck(run: ReturnRun, ref: FinaleReturnRef): ReceiptInput | undefined {
  if (run.state.manualCompletion) {
    run.record('received quantities not checked: the return was marked complete outside Finale');
    return undefined;
  }
  const created = run.carry.created;
  if (!created) {
    run.record('received quantities not checked: the Finale return was created before they were');
    return undefined;
  }
  const received = run.carry.received;
  return {
    finaleReturnId: ref.returnId,
    returnUrl: ref.returnUrl,
    created,
    ...(received === undefined ? {} : { received }),
  };
}

/**
 * Keeps what the check found in the return's state and timeline; answers the words the final summary adds
 * (empty when the warehouse received exactly what was created).
 */
export function recordReceipt(run: ReturnRun, update: LoopUpdate): string {
  const differences = update.differences;
  if (differences === undefined) return '';
  run.state.receipt = { differences, at: new Date().toISOString() };
  if (differences.length === 0) {
    run.record('received exactly what was created');
    return '';
  }
  const lines = differences.map((difference) => difference.line).join('; ');
  run.record(`received differently: ${lines}`);
  return ` — received differently: ${lines}`;
}
