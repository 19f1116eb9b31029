import { describe, expect, it } from 'vitest';
import { orderIdCandidates, orderIdForms } from '../../../integrations/finale/order-id-forms.ts';

describe('orderIdCandidates', () => {
  it('tries each configured form in order, once', () => {
    expect(orderIdCandidates('#1001', ['name', 'number', 'hash-number'])).toEqual(['#1001', '1001']);
    expect(orderIdCandidates('#1001', ['number', 'name'])).toEqual(['1001', '#1001']);
    expect(orderIdCandidates('1001', orderIdForms)).toEqual(['1001', '#1001']);
  });

  it('keeps a custom order name as its own form', () => {
    expect(orderIdCandidates(' SHOP-77 ', ['name', 'hash-number'])).toEqual(['SHOP-77', '#SHOP-77']);
  });

  it('offers nothing for an empty name or no forms', () => {
    expect(orderIdCandidates('#', orderIdForms)).toEqual([]);
    expect(orderIdCandidates('  ', orderIdForms)).toEqual([]);
    expect(orderIdCandidates('#1001', [])).toEqual([]);
  });
});
