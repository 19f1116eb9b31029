// How every error an activity can hit leaves it: run through `classified` in a mock activity context, as the
// worker runs activities, without a Temporal server. The workflow parks a return on the class, code and fix.
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { classified, MIN_RETRY_DELAY_MS } from '../../activities/failures.ts';
import { TenantSettingsError } from '../../config/tenant-settings.ts';
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  RetryableApiError,
  type ApiName,
} from '../../integrations/errors.ts';
import { BudgetWaitExceededError } from '../../integrations/rate-limiter.ts';
import { TenantNotFoundError } from '../../store/errors.ts';
import type { IssueDetails } from '../../workflows/messages.ts';
import { activityEnvironment } from '../support/activity-environment.ts';

/** What the worker hands Temporal when an activity throws `error`. */
async function failureOf(error: unknown): Promise<unknown> {
  const { act } = classified({
    act: async () => {
      throw error;
    },
  });
  try {
    await activityEnvironment().run(act);
  } catch (failure) {
    return failure;
  }
  throw new Error('the activity did not fail');
}

const detailsOf = (failure: unknown) => (failure as ApplicationFailure).details?.[0] as IssueDetails;

const apis: [ApiName, string][] = [
  ['loop', 'Loop'],
  ['finale', 'Finale'],
];

describe('activity failure classification', () => {
  it('returns what a successful activity returns, with its arguments', async () => {
    const { add } = classified({ add: async (a: number, b: number) => a + b });
    expect(await activityEnvironment().run(add, 2, 3)).toBe(5);
  });

  describe.each(apis)('%s errors', (api, label) => {
    it('lets Temporal retry an unavailable or rate-limited API after the delay it asked for', async () => {
      const failure = await failureOf(
        new RetryableApiError(`${api} getReturn: rate limited (HTTP 429)`, {
          api,
          operation: `${api}.getReturn`,
          status: 429,
          reason: 'rate-limited',
          retryAfterMs: 30_000,
        }),
      );
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({
        message: `${api} getReturn: rate limited (HTTP 429)`,
        type: `${label}Unavailable`,
        nonRetryable: false,
        nextRetryDelay: 30_000,
        details: [
          {
            class: 'waiting',
            code: `${label}Unavailable`,
            fix: `${label} is not answering or is rate limiting; the return is retried automatically`,
            rateLimited: true,
          },
        ],
      });
    });

    it('asks for a second at least when the delay is up already, since no delay at all stops the retries', async () => {
      const failure = await failureOf(
        new RetryableApiError(`${api} getReturn: waited 30 s for the ${api} budget`, {
          api,
          operation: `${api}.getReturn`,
          reason: 'rate-limited',
          retryAfterMs: 0,
        }),
      );
      expect(failure).toMatchObject({ nonRetryable: false, nextRetryDelay: MIN_RETRY_DELAY_MS });
    });

    it('marks a call that waited out its shared budget benign: flow control, retried after its estimate', async () => {
      const budget = api === 'loop' ? 'loop' : 'finale-post';
      const failure = await failureOf(
        new RetryableApiError(`${api} getReturn: waited 30 s for the ${budget} budget`, {
          api,
          operation: `${api}.getReturn`,
          reason: 'rate-limited',
          retryAfterMs: 12_000,
          cause: new BudgetWaitExceededError(budget, 30_000, 12_000),
        }),
      );
      expect(failure).toMatchObject({
        type: `${label}Unavailable`,
        nonRetryable: false,
        nextRetryDelay: 12_000,
        category: ApplicationFailureCategory.BENIGN,
      });
      // A 429 the API sent is a fault worth a warning.
      const rateLimited = await failureOf(
        new RetryableApiError(`${api} getReturn: rate limited (HTTP 429)`, {
          api,
          operation: `${api}.getReturn`,
          status: 429,
          reason: 'rate-limited',
        }),
      );
      expect((rateLimited as ApplicationFailure).category).toBeUndefined();
    });

    it('leaves the delay to the retry policy when the API named none', async () => {
      const failure = await failureOf(
        new RetryableApiError(`${api} getReturn: network error (ECONNRESET)`, {
          api,
          operation: `${api}.getReturn`,
          reason: 'network',
        }),
      );
      expect(failure).toMatchObject({ type: `${label}Unavailable`, nonRetryable: false });
      expect((failure as ApplicationFailure).nextRetryDelay).toBeUndefined();
      // Down, not busy: an outage that outlasts the step's retries parks the return.
      expect(detailsOf(failure).rateLimited).toBeUndefined();
    });

    it('parks a rejected credential as a settings problem for the merchant, never retried', async () => {
      const failure = await failureOf(
        new AuthenticationError(`${api} getReturn: authentication failed (HTTP 401)`, {
          api,
          operation: `${api}.getReturn`,
          status: 401,
        }),
      );
      expect(failure).toMatchObject({
        type: `${label}AuthFailed`,
        nonRetryable: true,
        nextRetryDelay: undefined,
        details: [{ class: 'config', code: `${label}AuthFailed` }],
      });
      expect(detailsOf(failure).fix).toMatch(
        new RegExp(`^Check the ${label} API key.* tenant settings.*then retry$`),
      );
    });

    it('parks a record the API does not have as a data problem, with the API’s reason', async () => {
      const failure = await failureOf(
        new NotFoundError(`${api} getOrder: not found (HTTP 404)`, {
          api,
          operation: `${api}.getOrder`,
          status: 404,
          apiMessage: 'order 1042 does not exist',
        }),
      );
      expect(failure).toMatchObject({
        type: `${label}Rejected`,
        nonRetryable: true,
        nextRetryDelay: undefined,
        details: [
          {
            class: 'data',
            code: `${label}Rejected`,
            fix: `${label} refused the request (order 1042 does not exist); correct the record in ${label}, then retry`,
          },
        ],
      });
    });

    it('parks an invalid request as a data problem, saying when the API gave no reason', async () => {
      const failure = await failureOf(
        new InvalidRequestError(`${api} createReturn: invalid (HTTP 422)`, {
          api,
          operation: `${api}.createReturn`,
          status: 422,
        }),
      );
      expect(failure).toMatchObject({
        type: `${label}Rejected`,
        nonRetryable: true,
        details: [
          {
            class: 'data',
            code: `${label}Rejected`,
            fix: `${label} refused the request (no reason given); correct the record in ${label}, then retry`,
          },
        ],
      });
    });
  });

  it('parks a deleted or never-onboarded tenant as a settings problem', async () => {
    const failure = await failureOf(new TenantNotFoundError('acme-outdoor'));
    expect(failure).toMatchObject({
      message: 'No tenant "acme-outdoor" in the tenant store',
      type: 'TenantNotFound',
      nonRetryable: true,
      details: [{ class: 'config', code: 'TenantNotFound' }],
    });
    expect(detailsOf(failure).fix).toMatch(/re-onboard the merchant, then retry$/);
  });

  it('parks invalid tenant settings as a settings problem naming them', async () => {
    const failure = await failureOf(
      new TenantSettingsError([{ path: 'finale.facilityName', message: 'is required' }]),
    );
    expect((failure as Error).message).toContain('finale.facilityName: is required');
    expect(failure).toMatchObject({
      type: 'InvalidTenantSettings',
      nonRetryable: true,
      details: [
        {
          class: 'config',
          code: 'InvalidTenantSettings',
          fix: 'Correct the tenant settings named in the message, then retry',
        },
      ],
    });
  });

  it('passes a failure an activity already classified through unchanged', async () => {
    const issue = ApplicationFailure.create({
      message: 'Finale has no location named "main warehouse"',
      type: 'FacilityNotFound',
      nonRetryable: true,
      details: [{ class: 'config', code: 'FacilityNotFound', fix: 'Name an existing location' }],
    });
    expect(await failureOf(issue)).toBe(issue);
  });

  it('leaves an unknown error to Temporal’s retry policy, as an Error', async () => {
    const bug = new TypeError('Cannot read properties of undefined');
    expect(await failureOf(bug)).toBe(bug);

    const thrownString = await failureOf('socket hang up');
    expect(thrownString).toBeInstanceOf(Error);
    expect(thrownString).not.toBeInstanceOf(ApplicationFailure);
    expect((thrownString as Error).message).toBe('socket hang up');
  });
});
