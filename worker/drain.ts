// The end of a worker's run: polling has stopped (a signal, or `worker.shutdown()`), running activities
// finish or are cancelled after the grace period, and the run resolves. An activity that ignores its
// cancellation is left behind rather than holding the process; Temporal retries it after its timeout.
import { GracefulShutdownPeriodExpiredError, type Worker } from '@temporalio/worker';
import type { Logger } from '../observability/logger.ts';

export async function drained(worker: Worker, run: Promise<void>, logger?: Logger): Promise<void> {
  try {
    await run;
  } catch (error) {
    if (!(error instanceof GracefulShutdownPeriodExpiredError)) throw error;
    logger?.warn(
      { activities: worker.getStatus().numInFlightActivities },
      'activities still running after the shutdown grace period were left to Temporal, which retries them',
    );
  }
}
