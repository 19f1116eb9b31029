// How the return workflow calls its activities. Steps retry briefly and then park the return; polls are
// retried by Temporal for as long as they wait, each attempt choosing when the next comes, so a wait of
// days costs one action per look and no history events.
import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { AlertActivities } from '../../activities/alert-activities.ts';
import type { ReturnActivities } from '../../activities/return-activities.ts';

/**
 * Task-queue priorities (1 runs first, 5 last, 3 when unset). A burst of new returns fills the task queue
 * with order reads; the steps that carry a return on go ahead of them, so each return that has its order
 * goes on to Finale (and a completed one on to Loop) while other orders are still being read: each stage's
 * budget is spent side by side with the others instead of after them. Polls go last: they look again on a
 * schedule of minutes to days, so waiting behind a burst costs them nothing.
 */
const carryOn = { priorityKey: 2 };
const lookAgain = { priorityKey: 4 };

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
  priority: lookAgain,
};

/** The create heartbeats while Finale answers, so a crashed worker is noticed in seconds and retried. */
export const createOptions: ActivityOptions = {
  ...stepOptions,
  heartbeatTimeout: '10 seconds',
  priority: carryOn,
};

/** The Loop action that ends a return's life, ahead of the reads of returns that have just begun theirs. */
export const finishOptions: ActivityOptions = { ...stepOptions, priority: carryOn };

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
