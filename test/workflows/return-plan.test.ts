import { describe, expect, it } from 'vitest';
import type { LoopReturnLineItem } from '../../integrations/loop/loop-return.ts';
import { buildReturnPlan, finaleReturnIdFor, parseFinaleReturnId } from '../../workflows/return-plan.ts';

let nextId = 1;
const line = (sku: string, returnReason: string, parentReturnReason = ''): LoopReturnLineItem => ({
  id: String(nextId++),
  sku,
  variantId: null,
  productId: null,
  barcode: null,
  title: `Product ${sku}`,
  returnReason,
  parentReturnReason,
});

describe('buildReturnPlan', () => {
  const settings = {
    reasonMap: { 'Too small': '##user_00001', "Item didn't fit": '##user_00002', Damaged: '##user_00003' },
    flagReasons: ['Damaged'],
  };

  it('aggregates one-unit line items by SKU and reason, leaving unmapped reasons out', () => {
    const plan = buildReturnPlan(
      [line('SKU-A', 'Too small'), line('SKU-A', ' too SMALL '), line('SKU-B', 'Changed my mind')],
      settings,
    );
    expect(plan.items).toEqual([
      { sku: 'SKU-A', quantity: 2, returnReasonId: '##user_00001' },
      { sku: 'SKU-B', quantity: 1 },
    ]);
    expect(plan.skus).toEqual(['SKU-A', 'SKU-B']);
    expect(plan.unmappedReasons).toEqual(['Changed my mind']);
    expect(plan.flagReasonsMatched).toEqual([]);
  });

  it('falls back to the parent reason when the reason itself is not mapped', () => {
    const plan = buildReturnPlan([line('SKU-A', 'Way too big', "Item didn't fit")], settings);
    expect(plan.items).toEqual([{ sku: 'SKU-A', quantity: 1, returnReasonId: '##user_00002' }]);
  });

  it('keeps separate rows for the same SKU with different reasons', () => {
    const plan = buildReturnPlan([line('SKU-A', 'Too small'), line('SKU-A', 'Damaged')], settings);
    expect(plan.items).toHaveLength(2);
  });

  it('matches flag reasons on either label, ignoring case, spaces and stray quotes', () => {
    expect(buildReturnPlan([line('SKU-A', '"damaged"')], settings).flagReasonsMatched).toEqual(['Damaged']);
    expect(buildReturnPlan([line('SKU-A', 'Torn', ' DAMAGED')], settings).flagReasonsMatched).toEqual([
      'Damaged',
    ]);
  });

  it('reports line items without a SKU instead of inventing one', () => {
    const plan = buildReturnPlan([line('', 'Too small'), line('SKU-A', 'Too small')], settings);
    expect(plan.lineItemsWithoutSku).toHaveLength(1);
    expect(plan.items).toEqual([{ sku: 'SKU-A', quantity: 1, returnReasonId: '##user_00001' }]);
  });
});

describe('finaleReturnIdFor', () => {
  it('is deterministic and readable for ordinary Loop IDs', () => {
    expect(finaleReturnIdFor('6042537')).toBe('LOOP-6042537');
    expect(parseFinaleReturnId('LOOP-6042537')).toEqual({ loopReturnId: '6042537' });
  });

  it('stays within 20 ASCII characters for long IDs, deterministically', () => {
    const id = finaleReturnIdFor('12345678901234567890123');
    expect(id.length).toBeLessThanOrEqual(20);
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    expect(finaleReturnIdFor('12345678901234567890123')).toBe(id);
    expect(finaleReturnIdFor('12345678901234567890124')).not.toBe(id);
    expect(parseFinaleReturnId(id)).toEqual({ hashed: id });
  });
});

describe('parseFinaleReturnId', () => {
  it.each([
    'R1001',
    'LOOP-',
    'LOOP-12a',
    'LOOP-0x1F',
    'loop-123',
    ' LOOP-123',
    'LOOP-123 ',
    'LOOP-H',
    'LOOP-Habc',
    'LOOP-H12345678',
    'LOOP-1" OR LoopFinaleTenant = "other',
    'LOOP-H1\\" OR 1=1',
    'x'.repeat(200),
  ])('accepts only the forms this service makes, not %j', (id) => {
    expect(parseFinaleReturnId(id)).toBeUndefined();
  });
});
