// The APIs' published limits on a shortened clock, for runs that must take minutes rather than hours: the same
// number of calls per window, every window `scale` times shorter. The simulators enforce them and the service
// budgets them, so both sides see the same compressed time, and a burst keeps its real size against each window
// (2,000 returns are still almost seven windows' worth of Finale's 300 collection reads).
import { Option } from 'commander';
import { positiveInt } from '../cli/commands/context.ts';
import {
  budgetNames,
  publishedBudgets,
  type BudgetName,
  type BudgetRule,
} from '../integrations/budget-rules.ts';
import type { SimControl } from './sim-control.ts';

export type ScaledLimits = ReturnType<typeof scaledLimits>;

/** The `--scale` option of the runs on this clock (npm run soak, npm run bench:burst). */
export const scaleOption = (defaultScale: number) =>
  new Option(
    '--scale <n>',
    "the APIs' clock n× faster: published calls per window, each window n times shorter (simulators and budgets)",
  )
    .argParser(positiveInt)
    .default(defaultScale);

export function scaledLimits(scale: number) {
  const rules = Object.fromEntries(
    budgetNames.map((name) => {
      const { limit, windowMs } = publishedBudgets[name];
      return [name, { limit, windowMs: Math.round(windowMs / scale) }];
    }),
  ) as Record<BudgetName, BudgetRule>;
  const text = (name: BudgetName) => `${rules[name].limit}/${rules[name].windowMs}ms`;
  const window = (name: BudgetName) => ({ requests: rules[name].limit, windowMs: rules[name].windowMs });
  return {
    scale,
    rules,
    /** Calls per (real) minute each limit allows on average. */
    perMinute: (name: BudgetName) => (rules[name].limit * 60_000) / rules[name].windowMs,
    /** The worker's settings for the budgets, in their `<calls>/<window>` form. */
    workerEnv: {
      FINALE_GET_BUDGET: text('finale-get'),
      FINALE_POST_BUDGET: text('finale-post'),
      FINALE_COLLECTION_BUDGET: text('finale-collection'),
      LOOP_BUDGET: text('loop'),
    },
    /** Sets the same limits in both simulators (sliding windows per account and per API key). */
    async enforce(sims: { finale: SimControl; loop: SimControl }): Promise<void> {
      await sims.finale.patch('/settings', {
        rateLimits: {
          get: window('finale-get'),
          post: window('finale-post'),
          collection: window('finale-collection'),
        },
      });
      await sims.loop.patch('/settings', { rateLimit: window('loop') });
    },
    /** One line for a run's heading. */
    describe(): string {
      const w = (name: BudgetName) => `${rules[name].limit}/${seconds(rules[name].windowMs)}`;
      return (
        `published limits on a clock ${scale}× faster: Finale ${w('finale-get')} GETs, ${w('finale-post')} POSTs, ` +
        `${w('finale-collection')} collection reads; Loop ${w('loop')}`
      );
    },
  };
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;
