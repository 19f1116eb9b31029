import type { HttpResponse } from '../http.ts';

/** When a 429 carries no usable reset time: the per-minute budget refills within a minute. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Above this an epoch timestamp can only be in milliseconds (1e12 s is the year 33658). */
const EPOCH_MS_THRESHOLD = 1e12;

/**
 * Finale answers 429 with `X-RateLimit-Reset` and no `Retry-After`. Public clients disagree on the unit
 * (epoch seconds vs epoch milliseconds), so a value above 1e12 is read as milliseconds.
 */
export function finaleRetryAfterMs(headers: HttpResponse['headers'], now: number): number {
  const raw = headers['x-ratelimit-reset'];
  const reset = Number(Array.isArray(raw) ? raw[0] : raw);
  if (raw === undefined || !Number.isFinite(reset) || reset <= 0) return DEFAULT_RATE_LIMIT_WAIT_MS;
  const resetMs = reset > EPOCH_MS_THRESHOLD ? reset : reset * 1000;
  return Math.max(0, Math.round(resetMs - now));
}
