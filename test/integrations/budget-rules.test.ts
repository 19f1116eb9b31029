import { describe, expect, it } from 'vitest';
import {
  bucketShape,
  budgetNames,
  parseBudgetRule,
  publishedBudgets,
} from '../../integrations/budget-rules.ts';

describe('bucketShape', () => {
  it.each([
    ['Finale GETs', publishedBudgets['finale-get'], 4],
    ['Finale collection reads', publishedBudgets['finale-collection'], 10],
    ['Loop', publishedBudgets.loop, 10],
    ['a scaled test budget', { limit: 20, windowMs: 2_000 }, 2],
    ['the smallest budget', { limit: 2, windowMs: 1_000 }, 1],
  ])('keeps %s: a full bucket plus one window of refill is a call under the limit', (_, rule, burst) => {
    const shape = bucketShape(rule);
    expect(shape.capacity).toBe(burst);
    const mostInAWindow = shape.capacity + (shape.refillPerSecond * rule.windowMs) / 1000;
    expect(mostInAWindow).toBeCloseTo(rule.limit > 3 ? rule.limit - 1 : rule.limit, 9);
    expect(shape.refillPerSecond).toBeGreaterThan(0);
    // Background reads leave part of the burst for work, and can still run when work is idle.
    expect(shape.workReserve).toBeLessThan(shape.capacity);
  });

  it('keeps some of every published burst for work, and a token of it for urgent reads', () => {
    for (const name of budgetNames) {
      const shape = bucketShape(publishedBudgets[name]);
      expect(shape.workReserve).toBeGreaterThan(0);
      expect(shape.urgentReserve).toBe(1);
      // Background leaves more than work does, so each priority still goes before the one below it.
      expect(shape.urgentReserve).toBeLessThan(shape.workReserve);
    }
  });
});

describe('parseBudgetRule', () => {
  it.each([
    ['120/min', { limit: 120, windowMs: 60_000 }],
    ['300/h', { limit: 300, windowMs: 3_600_000 }],
    ['30/5s', { limit: 30, windowMs: 5_000 }],
    ['20/1500ms', { limit: 20, windowMs: 1_500 }],
    ['6/0.5s', { limit: 6, windowMs: 500 }],
  ])('reads %s', (text, rule) => {
    expect(parseBudgetRule(text)).toEqual(rule);
  });

  it.each(['120', 'min/120', '120/week', '-5/min', '1/min', '10/10ms'])(
    'refuses %s with a reason',
    (text) => {
      expect(typeof parseBudgetRule(text)).toBe('string');
    },
  );
});
