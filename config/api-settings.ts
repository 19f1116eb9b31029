// How the worker calls Loop and Finale: the per-credential budgets and the bounds on what an upstream may
// make a client do, from the environment or (in tests) given directly.
import { publishedBudgets, type BudgetName, type BudgetRule } from '../integrations/budget-rules.ts';
import { defaultUpstreamBounds, type UpstreamBounds } from '../integrations/http.ts';
import { DEFAULT_LOOP_LIST_MAX_PAGES } from '../integrations/loop/client.ts';
import type { ApiName } from '../integrations/errors.ts';
import { DEFAULT_BUDGET_MAX_WAIT_MS, defaultConcurrency } from '../integrations/rate-limiter.ts';
import type { Env } from './env.ts';

export interface ApiSettings {
  /** Calls per window per merchant credential, shared by every worker through the tenant store; unset = published. */
  budgets: Partial<Record<BudgetName, BudgetRule>>;
  budgetMaxWaitMs: number;
  /** Calls in flight at once per credential in one process. */
  maxConcurrent: Record<ApiName, number>;
  bounds: UpstreamBounds;
  loopListMaxPages: number;
}

export const defaultApiSettings: ApiSettings = {
  budgets: publishedBudgets,
  budgetMaxWaitMs: DEFAULT_BUDGET_MAX_WAIT_MS,
  maxConcurrent: defaultConcurrency,
  bounds: defaultUpstreamBounds,
  loopListMaxPages: DEFAULT_LOOP_LIST_MAX_PAGES,
};

export type ApiSettingsEnv = Pick<
  Env,
  | 'FINALE_GET_BUDGET'
  | 'FINALE_POST_BUDGET'
  | 'FINALE_COLLECTION_BUDGET'
  | 'LOOP_BUDGET'
  | 'API_BUDGET_MAX_WAIT_MS'
  | 'API_RATE_LIMIT_MAX_WAIT_MS'
  | 'API_MAX_RESPONSE_BYTES'
  | 'LOOP_LIST_MAX_PAGES'
>;

export function apiSettingsFromEnv(env: ApiSettingsEnv): ApiSettings {
  return {
    budgets: {
      'finale-get': env.FINALE_GET_BUDGET,
      'finale-post': env.FINALE_POST_BUDGET,
      'finale-collection': env.FINALE_COLLECTION_BUDGET,
      loop: env.LOOP_BUDGET,
    },
    budgetMaxWaitMs: env.API_BUDGET_MAX_WAIT_MS,
    maxConcurrent: defaultConcurrency,
    bounds: {
      maxRateLimitWaitMs: env.API_RATE_LIMIT_MAX_WAIT_MS,
      maxResponseBytes: env.API_MAX_RESPONSE_BYTES,
    },
    loopListMaxPages: env.LOOP_LIST_MAX_PAGES,
  };
}
