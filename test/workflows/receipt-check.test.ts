import { describe, expect, it } from 'vitest';
import { compareReceipt, type CreatedLine } from '../../workflows/receipt-check.ts';

const tee = '/acme/api/product/10020196';
const cap = '/acme/api/product/10020197';
const mug = '/acme/api/product/MUG-WHT';

const created: CreatedLine[] = [
  { sku: 'TEE-BLK-M', productUrl: tee, quantity: 2, returnReasonId: '##user_00001' },
  { sku: 'CAP-RED', productUrl: cap, quantity: 1 },
];

describe('compareReceipt', () => {
  it('finds nothing when the warehouse received exactly what was created, in any order', () => {
    expect(
      compareReceipt(created, [
        { productUrl: cap, productId: 'CAP-RED', quantity: 1 },
        { productUrl: tee, productId: 'TEE-BLK-M', quantity: 1, returnReasonId: '##user_00001' },
        { productUrl: tee, productId: 'TEE-BLK-M', quantity: 1, returnReasonId: '##user_00001' },
      ]),
    ).toEqual([]);
  });

  it('says per product how many were expected and how many arrived', () => {
    const differences = compareReceipt(created, [
      { productUrl: tee, quantity: 1, returnReasonId: '##user_00001' },
      { productUrl: cap, quantity: 3 },
    ]);
    expect(differences.map((d) => d.line)).toEqual([
      'TEE-BLK-M: expected 2, received 1',
      'CAP-RED: expected 1, received 3',
    ]);
    expect(differences[0]).toEqual({
      product: 'TEE-BLK-M',
      expected: 2,
      received: 1,
      line: 'TEE-BLK-M: expected 2, received 1',
    });
  });

  it('reports a removed line and a product that was never on the return', () => {
    const differences = compareReceipt(created, [
      { productUrl: tee, quantity: 2, returnReasonId: '##user_00001' },
      { productUrl: mug, productId: 'MUG-WHT', quantity: 1 },
    ]);
    expect(differences.map((d) => d.line)).toEqual([
      'CAP-RED: expected 1, received 0',
      'MUG-WHT: expected 0, received 1',
    ]);
  });

  it('names the product by its productUrl when Finale gives no productId', () => {
    expect(compareReceipt([], [{ productUrl: mug, quantity: 1 }]).map((d) => d.line)).toEqual([
      '/acme/api/product/MUG-WHT: expected 0, received 1',
    ]);
  });

  it('spells out the reasons when units arrived under another reason', () => {
    const differences = compareReceipt(created, [
      { productUrl: tee, quantity: 1, returnReasonId: '##user_00001' },
      { productUrl: tee, quantity: 1, returnReasonId: '##user_00003' },
      { productUrl: cap, quantity: 1 },
    ]);
    expect(differences.map((d) => d.line)).toEqual([
      'TEE-BLK-M: expected 2 (2 × ##user_00001), received 2 (1 × ##user_00001, 1 × ##user_00003)',
    ]);
  });

  it('reports every line when the warehouse received nothing', () => {
    expect(compareReceipt(created, []).map((d) => d.line)).toEqual([
      'TEE-BLK-M: expected 2, received 0',
      'CAP-RED: expected 1, received 0',
    ]);
  });
});
