// How the return workflow calls its activities. Steps retry briefly and then park the return; polls are
// retried by Temporal for as long as they wait, each attempt choosing when the next comes, so a wait of
// days costs one action per look and no history events.
import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { AlertActivities } from '../../activities/alert-activities.ts';
import type { ReturnActivities } from '../../activities/return-activities.ts';

export const stepOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
  },
};

/** Steps (stepOptions): a failure that outlasts their retries parks the return instead. */
export const activities = proxyActivities<ReturnActivities>(stepOptions);

/**
 * Polls: unlimited attempts. A poll that is no longer awaited is abandoned, not cancelled, which costs no
 * history events; the run ends soon after, or its next attempt finds nothing to report to.
 */
export const pollOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // Unlimited (Infinity drops the limit the step options set; call-site options are merged into them).
  retry: {
    initialInterval: '1 minute',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    maximumAttempts: Number.POSITIVE_INFINITY,
  },
  cancellationType: ActivityCancellationType.ABANDON,
};

/** The create heartbeats while Finale answers, so a crashed worker is noticed in seconds and retried. */
export const createOptions: ActivityOptions = { ...stepOptions, heartbeatTimeout: '10 seconds' };

/** An alert that cannot be delivered must never hold up a return. */
export const { sendAlert } = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

/** Runs an activity with these options and a one-line summary the Web UI shows beside it. */
export function call<A extends unknown[], R>(
  activity: { executeWithOptions(options: ActivityOptions, args: A): Promise<R> },
  options: ActivityOptions,
  summary: string,
  ...args: A
): Promise<R> {
  return activity.executeWithOptions({ ...options, summary }, args);
}
