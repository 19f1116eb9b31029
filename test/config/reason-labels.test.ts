import { describe, expect, it } from 'vitest';
import { labelCollisions, reasonLabelKey } from '../../config/reason-labels.ts';

describe('reasonLabelKey', () => {
  it('trims, lower-cases, collapses spaces and strips surrounding quotes', () => {
    expect(reasonLabelKey('  "Item   Was Damaged" ')).toBe('item was damaged');
    expect(reasonLabelKey("'Damaged'")).toBe('damaged');
    expect(reasonLabelKey(' "" ')).toBe('');
  });
});

describe('labelCollisions', () => {
  it('names each later label that matches an earlier one, and skips blanks', () => {
    expect(labelCollisions(['Damaged', 'Too small', '"damaged"', '', ' ', 'TOO  SMALL'])).toEqual([
      { index: 2, label: '"damaged"', earlier: 'Damaged' },
      { index: 5, label: 'TOO  SMALL', earlier: 'Too small' },
    ]);
  });
});
