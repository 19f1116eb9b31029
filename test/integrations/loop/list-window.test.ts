import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatLoopDateTime,
  MAX_LIST_WINDOW_MS,
  splitListWindow,
} from '../../../integrations/loop/list-window.ts';

describe('formatLoopDateTime', () => {
  it('writes UTC as YYYY-MM-DD HH:MM:SS', () => {
    expect(formatLoopDateTime(new Date('2026-03-04T05:06:07.890+02:00'))).toBe('2026-03-04 03:06:07');
  });
});

describe('splitListWindow', () => {
  it('keeps a short window whole, widened to whole seconds', () => {
    expect(
      splitListWindow(new Date('2026-01-01T00:00:00.900Z'), new Date('2026-01-02T00:00:00.100Z')),
    ).toEqual([{ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:01Z') }]);
  });

  it('rejects an inverted or invalid window', () => {
    expect(() => splitListWindow(new Date('2026-01-02'), new Date('2026-01-01'))).toThrow(RangeError);
    expect(() => splitListWindow(new Date('nonsense'), new Date('2026-01-01'))).toThrow(RangeError);
  });

  it('covers any window with contiguous windows no longer than 100 days', () => {
    const instant = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) });
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const windows = splitListWindow(new Date(from), new Date(to));
        expect(windows[0]!.from.getTime()).toBeLessThanOrEqual(from);
        expect(windows.at(-1)!.to.getTime()).toBeGreaterThanOrEqual(to);
        windows.forEach((window, i) => {
          expect(window.to.getTime() - window.from.getTime()).toBeLessThanOrEqual(MAX_LIST_WINDOW_MS);
          if (i > 0) expect(window.from).toEqual(windows[i - 1]!.to);
        });
      }),
    );
  });
});
