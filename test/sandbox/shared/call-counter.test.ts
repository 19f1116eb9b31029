import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_TIMES_KEPT_MS, CallCounter } from '../../../sandbox/shared/call-counter.ts';

describe('CallCounter.busiestWindow', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_750_000_000_000, toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  const at = (counter: CallCounter, msFromStart: number, endpoint: string) => {
    vi.setSystemTime(1_750_000_000_000 + msFromStart);
    counter.record(endpoint);
  };

  it('finds the most calls within any sliding window, not only windows aligned to a clock minute', () => {
    const counter = new CallCounter();
    // 3 calls late in one minute and 3 early in the next: 6 inside one sliding minute, 3 per clock minute.
    for (const ms of [50_000, 55_000, 59_000, 61_000, 65_000, 70_000]) at(counter, ms, 'GET /a/:id');
    at(counter, 200_000, 'GET /a/:id');
    expect(counter.busiestWindow(60_000)).toBe(6);
    expect(counter.busiestWindow(10_000)).toBe(3);
    expect(counter.busiestWindow(10_001)).toBe(4);
    expect(counter.busiestWindow(1)).toBe(1);
  });

  it('counts only calls whose endpoint matches the pattern, as faults match them', () => {
    const counter = new CallCounter();
    at(counter, 0, 'GET /:account/api/order/:id');
    at(counter, 10, 'GET /:account/api/return (collection)');
    at(counter, 20, 'POST /:account/api/return');
    at(counter, 30, 'GET /:account/api/product (collection)');
    expect(counter.busiestWindow(1_000, 'GET *')).toBe(3);
    expect(counter.busiestWindow(1_000, 'GET * (collection)')).toBe(2);
    expect(counter.busiestWindow(1_000, 'POST *')).toBe(1);
    expect(counter.busiestWindow(1_000)).toBe(4);
  });

  it('keeps call times for an hour, and forgets them on reset', () => {
    const counter = new CallCounter();
    at(counter, 0, 'GET /x');
    at(counter, 1, 'GET /x');
    at(counter, 2 * CALL_TIMES_KEPT_MS + 10, 'GET /x');
    expect(counter.busiestWindow(3 * CALL_TIMES_KEPT_MS)).toBe(1);
    expect(counter.count('GET /x')).toBe(3);
    counter.reset();
    expect(counter.busiestWindow(60_000)).toBe(0);
  });
});
