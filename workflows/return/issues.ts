// What went wrong in a step, as the return's state and its operators see it. Pure: no workflow API, so it is
// unit-tested directly.
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { IssueDetails, ReturnIssue } from '../messages.ts';

/**
 * The business issue inside a step's failure, or undefined when the failure is no business issue (a bug, a
 * cancellation): the caller rethrows those, so a bug fails the workflow task instead of parking the return.
 * Activities raise issues as ApplicationFailures carrying IssueDetails; one without details (e.g. an outage
 * that outlasted the activity's retries) is an issue of class `waiting`.
 */
export function issueFrom(error: unknown, step: string, at: string): ReturnIssue | undefined {
  if (!(error instanceof ActivityFailure) && !(error instanceof ApplicationFailure)) return undefined;
  const cause = error instanceof ApplicationFailure ? error : error.cause;
  if (cause instanceof CancelledFailure) return undefined;
  const application = cause instanceof ApplicationFailure ? cause : undefined;
  const details = application?.details?.[0] as IssueDetails | undefined;
  const message = application?.message ?? error.message;
  if (details?.class) return { ...details, message, step, at };
  return {
    class: 'waiting',
    code: application?.type ?? 'ActivityFailed',
    fix: 'Re-checked automatically; if it keeps failing, an engineer should look at this activity failure',
    message,
    step,
    at,
  };
}
