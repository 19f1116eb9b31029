import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_WAIT_MS, finaleRetryAfterMs } from '../../../integrations/finale/rate-limit.ts';

const now = 1_750_000_000_000;

describe('finaleRetryAfterMs', () => {
  it('reads X-RateLimit-Reset in epoch seconds', () => {
    expect(finaleRetryAfterMs({ 'x-ratelimit-reset': String(now / 1000 + 42) }, now)).toBe(42_000);
  });

  it('reads X-RateLimit-Reset in epoch milliseconds (any value above 1e12)', () => {
    expect(finaleRetryAfterMs({ 'x-ratelimit-reset': String(now + 1_500) }, now)).toBe(1_500);
  });

  it('never answers a negative wait for a reset already past', () => {
    expect(finaleRetryAfterMs({ 'x-ratelimit-reset': String(now / 1000 - 10) }, now)).toBe(0);
  });

  it('falls back to a minute when the header is absent or unreadable, and ignores Retry-After', () => {
    expect(finaleRetryAfterMs({}, now)).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
    expect(finaleRetryAfterMs({ 'x-ratelimit-reset': 'soon', 'retry-after': '5' }, now)).toBe(
      DEFAULT_RATE_LIMIT_WAIT_MS,
    );
  });

  it('uses the first value of a repeated header', () => {
    expect(finaleRetryAfterMs({ 'x-ratelimit-reset': [String(now + 900), String(now + 5_000)] }, now)).toBe(
      900,
    );
  });
});
