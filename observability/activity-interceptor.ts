// Activity interceptor for observability: every activity runs with its tenant and Loop return ID bound
// to the log context, and each attempt is counted and timed by activity type and failure class.
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptors } from '@temporalio/worker';
import { activityAttempts, activityDuration, type FailureClass } from './app-metrics.ts';
import { logContext, logFieldsFromArgs, logFieldsFromWorkflowId, type LogFields } from './log-context.ts';

const issueClasses = new Set<string>(['waiting', 'config', 'data']);

/** The class the workflow will see (from the failure's details), or what kind of failure it was. */
export function failureClassOf(error: unknown): FailureClass {
  if (error instanceof CancelledFailure) return 'cancelled';
  if (error instanceof ApplicationFailure) {
    const issueClass = (error.details?.[0] as { class?: unknown } | undefined)?.class;
    if (typeof issueClass === 'string' && issueClasses.has(issueClass)) return issueClass as FailureClass;
  }
  return 'unexpected';
}

export function observabilityActivityInterceptor(ctx: Context): ActivityInterceptors {
  const activityType = ctx.info.activityType;
  let fields: LogFields = logFieldsFromWorkflowId(ctx.info.workflowExecution?.workflowId);
  return {
    inbound: {
      async execute(input, next) {
        fields = { ...fields, ...logFieldsFromArgs(input.args) };
        const stopTimer = activityDuration.startTimer({ activity_type: activityType });
        try {
          const result = await logContext.run(fields, () => next(input));
          activityAttempts.inc({ activity_type: activityType, result: 'success', failure_class: '' });
          return result;
        } catch (error) {
          activityAttempts.inc({
            activity_type: activityType,
            result: 'failure',
            failure_class: failureClassOf(error),
          });
          throw error;
        } finally {
          stopTimer();
        }
      },
    },
    // The SDK's own activity log lines (`log` from @temporalio/activity) carry the same fields.
    outbound: {
      getLogAttributes(input, next) {
        return next({ ...input, ...fields });
      },
    },
  };
}
