// Metrics of the calls to Loop and Finale: how much of each shared budget this process spends, how long calls
// wait for it, and the 429s that still arrive. Labels never name a credential or a tenant.
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  budgetNames,
  requestPriorities,
  type BudgetName,
  type BudgetRule,
} from '../integrations/budget-rules.ts';
import { metricsRegistry } from './metrics.ts';

export const apiRateLimited = new Counter({
  name: 'loop_finale_api_rate_limited_total',
  help: 'HTTP 429 answers received from an API (api: finale | loop); each stops the credential until its reset',
  labelNames: ['api'] as const,
  registers: [metricsRegistry],
});

export const budgetTaken = new Counter({
  name: 'loop_finale_api_budget_taken_total',
  help: 'Tokens this process took from a shared per-credential API budget, by budget and priority (work | background)',
  labelNames: ['budget', 'priority'] as const,
  registers: [metricsRegistry],
});

export const budgetWait = new Histogram({
  name: 'loop_finale_api_budget_wait_seconds',
  help: 'Time a call waited for its token from a shared API budget, by budget and priority',
  labelNames: ['budget', 'priority'] as const,
  buckets: [0.005, 0.05, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
  registers: [metricsRegistry],
});

export const budgetWaiting = new Gauge({
  name: 'loop_finale_api_budget_waiting',
  help: 'Calls in this process waiting for a token from a shared API budget, by budget and priority',
  labelNames: ['budget', 'priority'] as const,
  registers: [metricsRegistry],
});

export const budgetExhausted = new Counter({
  name: 'loop_finale_api_budget_exhausted_total',
  help: 'Calls that gave up waiting for a shared API budget (API_BUDGET_MAX_WAIT_MS) and were left to a later retry',
  labelNames: ['budget', 'priority'] as const,
  registers: [metricsRegistry],
});

export const budgetLimit = new Gauge({
  name: 'loop_finale_api_budget_limit_per_second',
  help: 'Configured calls per second of each per-credential API budget (its limit divided by its window)',
  labelNames: ['budget'] as const,
  registers: [metricsRegistry],
});

/**
 * A worker's budgets as configured, and every budget's counters at zero: alert rules and dashboards then see
 * each series from the first scrape, so the first 429 or exhausted budget after a start is an increase too.
 */
export function exportBudgetRules(rules: Record<BudgetName, BudgetRule>): void {
  for (const budget of budgetNames) {
    budgetLimit.set({ budget }, (rules[budget].limit * 1000) / rules[budget].windowMs);
    for (const priority of requestPriorities) {
      budgetTaken.inc({ budget, priority }, 0);
      budgetExhausted.inc({ budget, priority }, 0);
      budgetWaiting.inc({ budget, priority }, 0);
    }
  }
  for (const api of ['finale', 'loop'] as const) apiRateLimited.inc({ api }, 0);
}
