// Turns whatever an activity hit into a Temporal failure the workflow can classify: retryable (Temporal
// retries it, honouring the delay an API asked for) or a business issue with a class and a suggested fix.
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { TenantSettingsError } from '../config/tenant-settings.ts';
import { ApiError, RetryableApiError, type ApiName } from '../integrations/errors.ts';
import { BudgetWaitExceededError } from '../integrations/rate-limiter.ts';
import { TenantNotFoundError } from '../store/errors.ts';
import type { ConfigIssueCode } from '../workflows/issue-codes.ts';
import type { IssueClass, IssueDetails } from '../workflows/messages.ts';

const apiLabel = { finale: 'Finale', loop: 'Loop' } as const satisfies Record<ApiName, string>;

/** A config issue carries one of the listed codes, so a settings change finds the returns parked on it. */
export type RaisedIssue = Omit<IssueDetails, 'class' | 'code'> &
  ({ class: 'config'; code: ConfigIssueCode } | { class: Exclude<IssueClass, 'config'>; code: string });

/** The shortest delay an activity failure asks Temporal to retry after. */
export const MIN_RETRY_DELAY_MS = 1_000;

/** A business issue: never retried by Temporal; the workflow parks the return with this class and fix. */
export function issueFailure(message: string, details: RaisedIssue): ApplicationFailure {
  return ApplicationFailure.create({ message, type: details.code, nonRetryable: true, details: [details] });
}

const authFix: Record<ApiName, string> = {
  finale:
    'Check the Finale API key, secret and account name in the tenant settings (create a new key in Finale if it was revoked), then retry',
  loop: 'Check the Loop API key in the tenant settings and that it has the Returns, Developer Tools and Destinations (read) scopes, then retry',
};

/** Maps any error thrown inside an activity onto the failure the workflow expects. */
export function toActivityFailure(error: unknown): Error {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof RetryableApiError) {
    const api = apiLabel[error.api];
    return ApplicationFailure.create({
      message: error.message,
      type: `${api}Unavailable`,
      nonRetryable: false,
      // The Temporal server stops retrying an activity whose failure asks for no delay at all (retry state
      // TIMEOUT), so "a token is free about now" (a budget, a 429 reset just past) waits a second instead.
      nextRetryDelay:
        error.retryAfterMs === undefined ? undefined : Math.max(MIN_RETRY_DELAY_MS, error.retryAfterMs),
      // Waiting its turn for the merchant's shared budget is flow control, not a fault: the SDK logs it at
      // debug and leaves it out of its failure metrics (loop_finale_api_budget_exhausted_total counts it).
      ...(error.cause instanceof BudgetWaitExceededError
        ? { category: ApplicationFailureCategory.BENIGN }
        : {}),
      details: [
        {
          class: 'waiting',
          code: `${api}Unavailable`,
          fix: `${api} is not answering or is rate limiting; the return is retried automatically`,
          ...(error.reason === 'rate-limited' ? { rateLimited: true as const } : {}),
        } satisfies IssueDetails,
      ],
    });
  }
  if (error instanceof ApiError) {
    const api = apiLabel[error.api];
    if (error.kind === 'authentication') {
      return issueFailure(error.message, {
        class: 'config',
        code: `${api}AuthFailed` as const,
        fix: authFix[error.api],
      });
    }
    return issueFailure(error.message, {
      class: 'data',
      code: `${api}Rejected`,
      fix: `${api} refused the request (${error.apiMessage ?? 'no reason given'}); correct the record in ${api}, then retry`,
    });
  }
  if (error instanceof TenantNotFoundError) {
    return issueFailure(error.message, {
      class: 'config',
      code: 'TenantNotFound',
      fix: 'The tenant was deleted or never onboarded; re-onboard the merchant, then retry',
    });
  }
  if (error instanceof TenantSettingsError) {
    return issueFailure(error.message, {
      class: 'config',
      code: 'InvalidTenantSettings',
      fix: 'Correct the tenant settings named in the message, then retry',
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Wraps each activity of a factory so every failure leaves it classified. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, run]) => [
      name,
      async (...args: never[]) => {
        try {
          return await run(...args);
        } catch (error) {
          throw toActivityFailure(error);
        }
      },
    ]),
  ) as T;
}
