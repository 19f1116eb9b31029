// When a waiting return looks again. Every wait backs off: the next look comes after about as long as the
// return has already waited (so looks thin out geometrically), within a floor and a ceiling, and a random
// lengthening spreads returns that started waiting together. Pure: used by the workflow (whose Math.random
// is deterministic) and by the polling activities.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface LookSchedule {
  /** The first look, and the minimum spacing between any two. */
  firstMs: number;
  /** The longest gap between two looks. */
  capMs: number;
  /** Gap as a multiple of the time waited so far: 1 doubles the elapsed time at each look. */
  growth: number;
  /** Each gap is lengthened by up to this fraction, never shortened, so `firstMs` is a true minimum spacing. */
  jitter: number;
}

/**
 * Delay until the next look after `waitedMs` of waiting, with `random` in [0, 1) (Math.random, which the
 * workflow sandbox makes deterministic).
 */
export function nextLookDelayMs(schedule: LookSchedule, waitedMs: number, random: number): number {
  const base = Math.min(schedule.capMs, Math.max(schedule.firstMs, waitedMs * schedule.growth));
  return Math.round(base * (1 + schedule.jitter * random));
}

/** The `index`-th number in [0, 1) of a sequence fixed by `seed` (mulberry32). */
export function seededRandomAt(seed: number, index: number): number {
  let t = (seed + Math.imul(index, 0x6d2b79f5)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/**
 * Where a poll stands at an attempt: how long its wait has lasted (`waitedBeforeMs` when the poll began,
 * plus every delay since) and the delay before the next attempt. Derived from the attempt number and a
 * seed alone, never from a clock, so a poll keeps its schedule across retries and under time skipping.
 */
export function pollPosition(
  schedule: LookSchedule,
  poll: { waitedBeforeMs: number; seed: number },
  attempt: number,
): { waitedMs: number; nextDelayMs: number } {
  let waitedMs = poll.waitedBeforeMs;
  let nextDelayMs = 0;
  for (let i = 1; i <= attempt; i++) {
    waitedMs += nextDelayMs;
    nextDelayMs = nextLookDelayMs(schedule, waitedMs, seededRandomAt(poll.seed, i));
  }
  return { waitedMs, nextDelayMs };
}

/**
 * Fallback check of a Finale return awaiting the warehouse (the tenant sweeper normally reports the
 * completion within minutes). The first check comes after the tenant's `completionCheckIntervalMs`
 * (default 4 days), which is also the minimum spacing, so N open returns read at most N per 4 days; the
 * wide jitter spreads the first checks of a burst of new returns over another 4 days.
 */
export const fallbackCheckSchedule = (firstMs: number): LookSchedule => ({
  firstMs,
  capMs: Math.max(firstMs, 16 * DAY),
  growth: 1,
  jitter: 1,
});

/**
 * An order not yet synced from Shopify: minutes at first, growing to eight hours, within the order window
 * (at most 16 looks in 72 hours).
 */
export const orderLookSchedule: LookSchedule = {
  firstMs: 2 * MINUTE,
  capMs: 8 * HOUR,
  growth: 1,
  jitter: 0.2,
};

/** A paused tenant's return looks whether the tenant was resumed (resuming also nudges it at once). */
export const pausedLookSchedule: LookSchedule = { firstMs: HOUR, capMs: 7 * DAY, growth: 2, jitter: 0.25 };

/**
 * A step whose API is busy (a 429, the merchant's budget running dry) after the step's own retries: the
 * return waits a little, then tries the step again, without parking.
 */
export const rateLimitedLookSchedule: LookSchedule = {
  firstMs: 10_000,
  capMs: 5 * MINUTE,
  growth: 1,
  jitter: 0.5,
};

/** Outages fix themselves: their parked returns look again sooner and never wait longer than this. */
const WAITING_FIRST_CAP_MS = 30 * MINUTE;
const WAITING_CAP_MS = 6 * HOUR;
const PERSON_CAP_MS = 7 * DAY;

/**
 * Automatic re-check of a parked return, from the tenant's `needsAttentionRecheckMs`: an outage (class
 * `waiting`) is looked at again within 30 minutes at first; a problem a person must fix backs off to a week.
 */
export function recheckSchedule(recheckMs: number, waiting: boolean): LookSchedule {
  const firstMs = waiting ? Math.min(recheckMs, WAITING_FIRST_CAP_MS) : recheckMs;
  const capMs = Math.max(firstMs, waiting ? WAITING_CAP_MS : PERSON_CAP_MS);
  return { firstMs, capMs, growth: 1, jitter: 0.25 };
}
