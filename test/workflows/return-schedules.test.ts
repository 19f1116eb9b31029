import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { fallbackLoad, seededRandom } from '../../bench/fallback-load.ts';
import { issueFrom } from '../../workflows/return/issues.ts';
import {
  fallbackCheckSchedule,
  nextLookDelayMs,
  orderLookSchedule,
  pausedLookSchedule,
  recheckSchedule,
} from '../../workflows/return/schedules.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Times of every look within `horizonMs`, with the schedule's lowest jitter (the most looks). */
function looks(schedule: Parameters<typeof nextLookDelayMs>[0], horizonMs: number, random = () => 0) {
  const at: number[] = [];
  let t = nextLookDelayMs(schedule, 0, random());
  while (t < horizonMs) {
    at.push(t);
    t += nextLookDelayMs(schedule, t, random());
  }
  return at;
}

describe('wait schedules', () => {
  it('space looks at least the floor apart, lengthen with the time waited, and stop growing at the cap', () => {
    const schedule = fallbackCheckSchedule(4 * DAY);
    const times = looks(schedule, 120 * DAY, seededRandom(7));
    const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(4 * DAY);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * 16 * DAY);
  });

  it('check a return awaiting the warehouse at most twice in 14 days, with the default interval', () => {
    expect(looks(fallbackCheckSchedule(4 * DAY), 14 * DAY).length).toBeLessThanOrEqual(2);
  });

  it('look for a missing order within minutes at first, and at most 16 times in 72 hours', () => {
    const times = looks(orderLookSchedule, 72 * HOUR);
    expect(times[0]).toBe(2 * MINUTE);
    expect(times.length).toBeLessThanOrEqual(16);
    expect(Math.max(...times.map((t, i) => t - (times[i - 1] ?? 0)))).toBeLessThanOrEqual(8 * HOUR);
  });

  it('look whether a paused tenant was resumed at most 10 times in 30 days (resuming nudges at once)', () => {
    expect(looks(pausedLookSchedule, 30 * DAY).length).toBeLessThanOrEqual(10);
  });

  it('re-check an outage within 30 minutes, and a problem a person must fix at the tenant interval', () => {
    expect(nextLookDelayMs(recheckSchedule(6 * HOUR, true), 0, 0)).toBe(30 * MINUTE);
    expect(nextLookDelayMs(recheckSchedule(6 * HOUR, false), 0, 0)).toBe(6 * HOUR);
    expect(nextLookDelayMs(recheckSchedule(6 * HOUR, false), 30 * DAY, 0)).toBe(7 * DAY);
    expect(nextLookDelayMs(recheckSchedule(1_000, false), 0, 0)).toBe(1_000);
  });
});

describe("fallback checks of one tenant's 50,000 open returns", () => {
  /** 10% of Finale's published 120 GET a minute per account. */
  const TENTH_OF_BUDGET = 12;
  const base = { returns: 50_000, horizonMs: 90 * DAY, firstCheckMs: 4 * DAY };

  it.each([1, 3, 4, 7, 14, 30, 60].map((days) => ({ days })))(
    'stay under a tenth of the Finale read budget when returns wait $days days in a steady stream',
    ({ days }) => {
      // 50,000 open at once in a steady state means 50,000 arriving per `days` days.
      const load = fallbackLoad({
        ...base,
        waitMs: days * DAY,
        arrivalsPerMinute: base.returns / (days * 24 * 60),
        horizonMs: days * DAY * 2,
      });
      expect(load.peakPerMinute).toBeLessThan(TENTH_OF_BUDGET);
    },
  );

  it('stay under a tenth of it when all 50,000 arrive as fast as Finale lets them be created, and never complete', () => {
    // Order GET, look-up and create: 3 calls of 120 a minute per new return.
    const load = fallbackLoad({ ...base, arrivalsPerMinute: 40, waitMs: Infinity });
    expect(load.checks).toBeGreaterThan(base.returns);
    expect(load.peakPerMinute).toBeLessThan(TENTH_OF_BUDGET);
  });
});

describe('issueFrom', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const activityFailure = (cause: Error) =>
    new ActivityFailure(
      'activity failed',
      'createReturnInFinale',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      'worker',
      cause,
    );

  it('takes class, code, fix and extra facts from the details an activity raised', () => {
    const cause = ApplicationFailure.create({
      message: 'Loop sent a line without a SKU',
      type: 'MissingSku',
      nonRetryable: true,
      details: [
        {
          class: 'data',
          code: 'MissingSku',
          fix: 'Give the line a product',
          lines: [{ id: '9', title: 'Tee' }],
        },
      ],
    });
    expect(issueFrom(activityFailure(cause), 'create Finale return', at)).toEqual({
      class: 'data',
      code: 'MissingSku',
      fix: 'Give the line a product',
      lines: [{ id: '9', title: 'Tee' }],
      message: 'Loop sent a line without a SKU',
      step: 'create Finale return',
      at,
    });
  });

  it('calls a failure without details an issue that is re-checked automatically', () => {
    const cause = ApplicationFailure.create({ message: 'socket hang up', type: 'Error' });
    expect(issueFrom(activityFailure(cause), 'find order', at)).toMatchObject({
      class: 'waiting',
      code: 'Error',
      message: 'socket hang up',
    });
  });

  it('leaves bugs and cancellations to the caller', () => {
    expect(issueFrom(new TypeError('x is undefined'), 'step', at)).toBeUndefined();
    expect(issueFrom(activityFailure(new CancelledFailure('cancelled')), 'step', at)).toBeUndefined();
    expect(issueFrom(new CancelledFailure('cancelled'), 'step', at)).toBeUndefined();
  });
});
