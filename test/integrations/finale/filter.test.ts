import { describe, expect, it } from 'vitest';
import {
  MAX_UPDATED_WINDOW_MS,
  encodeFilter,
  exactly,
  updatedWindowProblem,
  updatedWindowRange,
} from '../../../integrations/finale/filter.ts';

const now = Date.parse('2025-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(now - days * 24 * 3600 * 1000);

describe('encodeFilter', () => {
  it('produces the documented base64 of the JSON ranges', () => {
    expect(encodeFilter({ productId: exactly('ABC-123') })).toBe(
      'eyJwcm9kdWN0SWQiOlsiQUJDLTEyMyIsIkFCQy0xMjMiXX0=',
    );
  });

  it('encodes non-ASCII values as UTF-8 and open bounds as null', () => {
    const encoded = encodeFilter({
      productId: exactly('Cégep Al'),
      lastUpdatedDate: ['2025-01-01T00:00:00', null],
    });
    expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))).toEqual({
      productId: ['Cégep Al', 'Cégep Al'],
      lastUpdatedDate: ['2025-01-01T00:00:00', null],
    });
  });
});

describe('updatedWindowProblem', () => {
  it('accepts a window of up to 30 days, open-ended or closed', () => {
    expect(updatedWindowProblem({ since: daysAgo(30) }, now)).toBeUndefined();
    expect(updatedWindowProblem({ since: daysAgo(45), until: daysAgo(15) }, now)).toBeUndefined();
  });

  it('rejects a window over 30 days, measured to now when it has no end', () => {
    expect(updatedWindowProblem({ since: new Date(now - MAX_UPDATED_WINDOW_MS - 1) }, now)).toMatch(
      /30 days/,
    );
    expect(updatedWindowProblem({ since: daysAgo(62), until: daysAgo(31) }, now)).toMatch(/30 days/);
  });

  it('rejects a missing lower bound and a window that ends before it starts', () => {
    expect(updatedWindowProblem({ since: new Date(Number.NaN) }, now)).toMatch(/lower bound/);
    expect(updatedWindowProblem({ since: daysAgo(1), until: daysAgo(2) }, now)).toMatch(/ends before/);
  });
});

describe('updatedWindowRange', () => {
  it('writes Finale-style zone-less UTC timestamps and leaves an open end null', () => {
    expect(updatedWindowRange({ since: new Date('2025-06-01T08:30:15.250Z') })).toEqual([
      '2025-06-01T08:30:15',
      null,
    ]);
    expect(updatedWindowRange({ since: daysAgo(2), until: daysAgo(1) })).toEqual([
      '2025-06-28T12:00:00',
      '2025-06-29T12:00:00',
    ]);
  });
});
