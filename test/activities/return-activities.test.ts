// What the return activities tell the workflow beside a failure: the workflow reads no settings, so the
// tenant's re-check interval travels with the failure, and a busy API is marked as one.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ReturnActivityDeps } from '../../activities/finale-steps.ts';
import { createReturnActivities } from '../../activities/return-activities.ts';
import { tenantSettingsSchema } from '../../config/tenant-settings.ts';
import { demoTenantSettings } from '../../sandbox/demo-world.ts';
import { RetryableApiError } from '../../integrations/errors.ts';
import type { IssueDetails } from '../../workflows/messages.ts';
import { activityEnvironment } from '../support/activity-environment.ts';

const settings = tenantSettingsSchema.parse({ ...demoTenantSettings, needsAttentionRecheckMs: '20s' });

/** Activities whose Loop client fails every read with `error`. */
function activitiesFailingWith(error: Error) {
  const deps = {
    store: { getTenant: async () => ({ settings }) },
    clientsFor: async () => ({
      loop: {
        getReturn: async () => {
          throw error;
        },
      },
    }),
  } as unknown as ReturnActivityDeps;
  return createReturnActivities(deps);
}

async function detailsOfFailure(
  error: Error,
): Promise<{ failure: ApplicationFailure; details: IssueDetails }> {
  const { getLoopReturn } = activitiesFailingWith(error);
  const failure = await activityEnvironment()
    .run(getLoopReturn, { tenantId: 'acme', loopReturnId: '1' })
    .then(
      () => expect.unreachable('the activity succeeded'),
      (thrown: unknown) => thrown,
    );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  const application = failure as ApplicationFailure;
  return { failure: application, details: application.details?.[0] as IssueDetails };
}

describe('return activities: what a failure tells the workflow', () => {
  it("gives a retryable failure the tenant's re-check interval, for when it outlasts the step's retries", async () => {
    const { failure, details } = await detailsOfFailure(
      new RetryableApiError('loop getReturn: network error (ECONNRESET)', {
        api: 'loop',
        operation: 'loop.getReturn',
        reason: 'network',
      }),
    );
    expect(failure.nonRetryable).toBe(false);
    expect(details).toMatchObject({ class: 'waiting', code: 'LoopUnavailable', recheckAfterMs: 20_000 });
    expect(details.rateLimited).toBeUndefined();
  });

  it('marks a 429 as a busy API, which the workflow waits out instead of parking', async () => {
    const { failure, details } = await detailsOfFailure(
      new RetryableApiError('loop processReturn: rate limited (HTTP 429)', {
        api: 'loop',
        operation: 'loop.getReturn',
        status: 429,
        reason: 'rate-limited',
        retryAfterMs: 5_000,
      }),
    );
    expect(failure).toMatchObject({ nonRetryable: false, nextRetryDelay: 5_000 });
    expect(details).toMatchObject({ class: 'waiting', rateLimited: true, recheckAfterMs: 20_000 });
  });
});
