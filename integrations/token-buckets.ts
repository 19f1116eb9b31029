import type { BucketShape, BudgetName } from './budget-rules.ts';

/** One budget a call draws a token from. */
export interface BudgetDraw {
  budget: BudgetName;
  shape: BucketShape;
  /** Tokens that must remain after this take: 0 for work, the shape's work reserve for background reads. */
  reserve: number;
}

export interface TakeRequest {
  /** Opaque credential key (a hash, never the secret). */
  key: string;
  /**
   * Every budget the call spends, a token of each, taken all at once or not at all: a token held while
   * waiting for another budget would be spent late, bunched with the tokens granted after it.
   */
  draws: readonly BudgetDraw[];
}

export interface TakeResult {
  granted: boolean;
  /** When refused: how long until the buckets can grant this take, if nobody else takes first. */
  waitMs: number;
  /** When refused: the budget that holds the take back longest. */
  short?: BudgetName;
}

/**
 * Where the buckets live. The tenant store's implementation is shared by every process and machine (one row
 * per credential and budget, on the database's clock); `memoryTokenBuckets` serves one process only.
 */
export interface TokenBuckets {
  /** Takes one token of each budget drawn from, or says how long to wait for them. */
  take(request: TakeRequest): Promise<TakeResult>;
  /** Empties these budgets of the credential and keeps them empty for `ms` (an upstream 429's reset). */
  block(key: string, budgets: readonly BudgetName[], ms: number): Promise<void>;
}

/** The wait for one token with `reserve` left behind, from a bucket that holds `tokens` from `blockedMs` on. */
export function waitForToken(shape: BucketShape, reserve: number, tokens: number, blockedMs: number): number {
  const missing = Math.max(0, 1 + reserve - tokens);
  return Math.max(0, blockedMs) + Math.ceil((missing * 1000) / shape.refillPerSecond);
}

/** What each drawn bucket holds now, as a take sees it. */
export interface BucketLevel {
  budget: BudgetName;
  tokens: number;
  blockedMs: number;
}

/** A take's answer from the levels of its buckets: granted only if every one of them has the token to spare. */
export function takeResult(draws: readonly BudgetDraw[], levels: readonly BucketLevel[]): TakeResult {
  let result: TakeResult = { granted: true, waitMs: 0 };
  for (const draw of draws) {
    const level = levels.find((l) => l.budget === draw.budget);
    if (!level) throw new Error(`no bucket for the ${draw.budget} budget`);
    if (level.tokens >= 1 + draw.reserve) continue;
    const waitMs = waitForToken(draw.shape, draw.reserve, level.tokens, level.blockedMs);
    if (result.granted || waitMs > result.waitMs) result = { granted: false, waitMs, short: draw.budget };
  }
  return result;
}

/**
 * Buckets in this process's memory, for clients that have no tenant store at hand (onboarding checks, one
 * client in a test). They hold one process to the budgets, not a fleet of workers.
 */
export function memoryTokenBuckets(now: () => number = Date.now): TokenBuckets {
  /** `refilledAt` may lie in the future: the bucket is blocked until then. */
  const buckets = new Map<string, { tokens: number; refilledAt: number }>();
  const id = (key: string, budget: BudgetName) => `${key}\u0000${budget}`;

  return {
    async take({ key, draws }) {
      const at = now();
      const refilled = draws.map(({ budget, shape }) => {
        const bucket = buckets.get(id(key, budget)) ?? { tokens: shape.capacity, refilledAt: at };
        const elapsed = Math.max(0, at - bucket.refilledAt);
        return {
          budget,
          tokens: Math.min(shape.capacity, bucket.tokens + (elapsed * shape.refillPerSecond) / 1000),
          refilledAt: Math.max(bucket.refilledAt, at),
          blockedMs: bucket.refilledAt - at,
        };
      });
      const result = takeResult(draws, refilled);
      for (const { budget, tokens, refilledAt } of refilled) {
        buckets.set(id(key, budget), { tokens: result.granted ? tokens - 1 : tokens, refilledAt });
      }
      return result;
    },

    async block(key, budgets, ms) {
      const until = now() + ms;
      for (const budget of budgets) {
        const bucket = buckets.get(id(key, budget));
        buckets.set(id(key, budget), { tokens: 0, refilledAt: Math.max(until, bucket?.refilledAt ?? 0) });
      }
    },
  };
}
