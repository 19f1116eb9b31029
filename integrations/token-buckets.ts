import type { BucketShape, BudgetName } from './budget-rules.ts';

export interface TakeRequest {
  /** Opaque credential key (a hash, never the secret). */
  key: string;
  budget: BudgetName;
  shape: BucketShape;
  /** Tokens that must remain after this take: 0 for work, the shape's work reserve for background reads. */
  reserve: number;
}

export interface TakeResult {
  granted: boolean;
  /** When refused: how long until the bucket can grant this take, if nobody else takes first. */
  waitMs: number;
}

/**
 * Where the buckets live. The tenant store's implementation is shared by every process and machine (one row
 * per credential and budget, on the database's clock); `memoryTokenBuckets` serves one process only.
 */
export interface TokenBuckets {
  /** Takes one token, or says how long to wait for it. */
  take(request: TakeRequest): Promise<TakeResult>;
  /** Empties these budgets of the credential and keeps them empty for `ms` (an upstream 429's reset). */
  block(key: string, budgets: readonly BudgetName[], ms: number): Promise<void>;
}

/** The wait for one token with `reserve` left behind, from a bucket that holds `tokens` from `blockedMs` on. */
export function waitForToken(shape: BucketShape, reserve: number, tokens: number, blockedMs: number): number {
  const missing = Math.max(0, 1 + reserve - tokens);
  return Math.max(0, blockedMs) + Math.ceil((missing * 1000) / shape.refillPerSecond);
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
    async take({ key, budget, shape, reserve }) {
      const at = now();
      const bucket = buckets.get(id(key, budget)) ?? { tokens: shape.capacity, refilledAt: at };
      const elapsed = Math.max(0, at - bucket.refilledAt);
      const tokens = Math.min(shape.capacity, bucket.tokens + (elapsed * shape.refillPerSecond) / 1000);
      const granted = tokens >= 1 + reserve;
      const refilledAt = Math.max(bucket.refilledAt, at);
      buckets.set(id(key, budget), { tokens: granted ? tokens - 1 : tokens, refilledAt });
      return { granted, waitMs: granted ? 0 : waitForToken(shape, reserve, tokens, refilledAt - at) };
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
