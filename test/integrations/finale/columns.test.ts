import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transposeColumns } from '../../../integrations/finale/columns.ts';

describe('transposeColumns', () => {
  it('turns parallel arrays into one record per row', () => {
    const columns = {
      productId: ['NCP-001', 'NCP-018'],
      productUrl: ['/acct/api/product/NCP-001', '/acct/api/product/10020196'],
      internalName: ['Widget', 'Gadget'],
    };
    expect(transposeColumns(columns)).toEqual([
      { productId: 'NCP-001', productUrl: '/acct/api/product/NCP-001', internalName: 'Widget' },
      { productId: 'NCP-018', productUrl: '/acct/api/product/10020196', internalName: 'Gadget' },
    ]);
  });

  it('makes as many rows as the longest column and leaves shorter columns out of the extra rows', () => {
    expect(transposeColumns({ a: [1, 2, 3], b: ['x'] })).toEqual([{ a: 1, b: 'x' }, { a: 2 }, { a: 3 }]);
  });

  it('keeps null cells and ignores values that are not columns', () => {
    expect(transposeColumns({ a: [null, 2], note: 'not a column' })).toEqual([{ a: null }, { a: 2 }]);
  });

  it('reads an empty collection as no rows', () => {
    expect(transposeColumns({})).toEqual([]);
    expect(transposeColumns({ a: [], b: [] })).toEqual([]);
  });

  it('inverts a column-major encoding of any list of records', () => {
    const row = fc.record({ id: fc.string(), qty: fc.integer(), url: fc.string() });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const columns = {
          id: rows.map((r) => r.id),
          qty: rows.map((r) => r.qty),
          url: rows.map((r) => r.url),
        };
        expect(transposeColumns(columns)).toEqual(rows);
      }),
    );
  });
});
