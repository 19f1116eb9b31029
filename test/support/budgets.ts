// API budgets for tests and benchmarks that are not about the budgets (those have tests of their own).
import type { BudgetName, BudgetRule } from '../../integrations/budget-rules.ts';

const everyBudget = (rule: BudgetRule): Record<BudgetName, BudgetRule> => ({
  'finale-get': rule,
  'finale-post': rule,
  'finale-collection': rule,
  loop: rule,
});

/** Roomy enough to stay out of the way of a test's calls. */
export const testSizedBudgets = everyBudget({ limit: 100_000, windowMs: 60_000 });

/**
 * No limit worth the name: for time-skipping runs, where a limit per real minute would throttle days of
 * skipped time into real minutes, and for benchmarks, which measure this code rather than the APIs' quotas.
 */
export const unthrottledBudgets = everyBudget({ limit: 1_000_000, windowMs: 1_000 });
