// Metrics of the calls to Loop and Finale: how much of each shared budget this process spends, how long calls
// wait for it, and the 429s that still arrive. Labels never name a credential or a tenant.
import { Counter, Gauge, Histogram } from 'prom-client';
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
