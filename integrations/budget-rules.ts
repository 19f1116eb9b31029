import type { ApiName } from './errors.ts';

/**
 * The budgets a merchant credential draws from. A Finale collection read is a GET too, so it draws from
 * both `finale-collection` and `finale-get`.
 */
export const budgetNames = ['finale-get', 'finale-post', 'finale-collection', 'loop'] as const;
export type BudgetName = (typeof budgetNames)[number];

/** Every budget of one API's credential: a 429 on any call stops them all until its reset. */
export const budgetsOfApi: Record<ApiName, readonly BudgetName[]> = {
  finale: ['finale-get', 'finale-post', 'finale-collection'],
  loop: ['loop'],
};

/**
 * What a call is for, most pressing first. `urgent`: a read that several waiting creates need before any of
 * them can go (the shared returnId look-up); work keeps a token for it, so it never queues behind a burst of
 * order reads. `work` moves a return forward (order reads, creates, Loop actions). `background` reads
 * (fallback status checks, sweeps) only spend what work leaves over.
 */
export const requestPriorities = ['urgent', 'work', 'background'] as const;
export type RequestPriority = (typeof requestPriorities)[number];

/** At most `limit` calls in any window of `windowMs`, per credential. */
export interface BudgetRule {
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;

/**
 * Published limits (integrations reference: Finale's are third-party reports of 120 GET and 120 POST a
 * minute and 300 collection reads an hour; Loop documents 300 a minute per key).
 */
export const publishedBudgets: Record<BudgetName, BudgetRule> = {
  'finale-get': { limit: 120, windowMs: MINUTE },
  'finale-post': { limit: 120, windowMs: MINUTE },
  'finale-collection': { limit: 300, windowMs: 60 * MINUTE },
  loop: { limit: 300, windowMs: MINUTE },
};

/** The token bucket that keeps a rule: how many calls may go at once, and how fast the bucket refills. */
export interface BucketShape {
  capacity: number;
  refillPerSecond: number;
  /** Tokens a background call must leave in the bucket, so work arriving next never waits for it. */
  workReserve: number;
  /** Tokens a work call must leave for an urgent one (none in a bucket too small to spare one). */
  urgentReserve: number;
}

/**
 * A small burst (a thirtieth of the limit, at least 2) and a refill of `limit - capacity - 1` per window: a
 * full bucket plus one window of refill stays a call under `limit`, so no sliding window ever holds more
 * calls than the rule allows, however they bunch up, even when the API counts a call a little later or
 * earlier than the bucket did (network and queueing jitter of up to one refill interval).
 */
export function bucketShape(rule: BudgetRule): BucketShape {
  const capacity = Math.min(Math.max(2, Math.ceil(rule.limit / 30)), rule.limit - 1);
  const headroom = rule.limit - capacity >= 2 ? 1 : 0;
  return {
    capacity,
    refillPerSecond: ((rule.limit - capacity - headroom) * 1000) / rule.windowMs,
    workReserve: Math.floor(capacity / 2),
    urgentReserve: capacity >= 4 ? 1 : 0,
  };
}

const units: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: MINUTE, min: MINUTE, h: 60 * MINUTE };

/**
 * Reads a rule written as `<limit>/<window>`: `120/min`, `300/h`, `30/5s`, `20/1500ms`. Returns a message
 * instead when the text is not one.
 */
export function parseBudgetRule(text: string): BudgetRule | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|sec|m|min|h)\s*$/.exec(text);
  if (!match) return 'must look like 120/min, 300/h or 30/5s (calls per window)';
  const limit = Number(match[1]);
  const windowMs = Number(match[2] ?? 1) * units[match[3]!]!;
  if (limit < 2) return 'the limit must be at least 2 calls';
  if (!Number.isFinite(windowMs) || windowMs < 100) return 'the window must be at least 100 ms';
  return { limit, windowMs };
}
