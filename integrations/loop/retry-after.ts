import type { HttpResponse } from '../http.ts';

/** Loop documents no Retry-After on 429; its own sample code waits 5 s. */
export const DEFAULT_LOOP_RETRY_AFTER_MS = 5_000;

/** Retry-After in seconds or as an HTTP date, when Loop sends one; otherwise the 5 s default. */
export function loopRetryAfterMs(headers: HttpResponse['headers'], now: number): number {
  const header = headers['retry-after'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value) {
    if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return DEFAULT_LOOP_RETRY_AFTER_MS;
}
