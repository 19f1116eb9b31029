import { describe, expect, it } from 'vitest';
import { ControlError } from '../../../sandbox/shared/control-error.ts';
import { endpointMatches, FaultSet } from '../../../sandbox/shared/faults.ts';

describe('endpoint patterns', () => {
  it.each([
    [undefined, 'GET /destinations', true],
    ['/destinations', 'GET /destinations', true],
    ['/destinations', 'GET /destinations/:id', false],
    ['/destinations*', 'GET /destinations/:id', true],
    ['GET /webhooks', 'POST /webhooks', false],
    ['post /webhooks', 'POST /webhooks', true],
    ['* /webhooks', 'DELETE /webhooks', true],
    ['POST /warehouse/return/:id/*', 'POST /warehouse/return/:id/close', true],
    ['POST /warehouse/return/:id/*', 'GET /warehouse/return/:id/notes', false],
    ['GET * (collection)', 'GET /:account/api/product (collection)', true],
    ['GET * (collection)', 'GET /:account/api/order/:id', false],
    ['/:account/api/return', 'GET /:account/api/return (collection)', false],
    ['*', 'GET (unknown route)', true],
  ])('%s matches %s: %s', (pattern, endpoint, expected) => {
    expect(endpointMatches(pattern, endpoint)).toBe(expected);
  });
});

describe('FaultSet', () => {
  it('numbers faults fault_1, fault_2, … and counts each one down as it hits', () => {
    const faults = new FaultSet(['server-error', 'latency']);
    expect(faults.add({ kind: 'latency', ms: 5, count: 2 })).toMatchObject({ id: 'fault_1', remaining: 2 });
    expect(faults.add({ kind: 'server-error' })).toMatchObject({
      id: 'fault_2',
      status: 503,
      remaining: null,
    });
    expect(faults.take('GET /x')).toMatchObject({ latencyMs: 5, outcome: { id: 'fault_2' } });
    expect(faults.list().map((fault) => fault.remaining)).toEqual([1, null]);
    faults.take('GET /x');
    expect(faults.list().map((fault) => fault.id)).toEqual(['fault_2']);
  });

  it('refuses kinds the simulator does not support, and unknown fault IDs', () => {
    const faults = new FaultSet(['server-error']);
    expect(() => faults.add({ kind: 'missing-url' })).toThrow(ControlError);
    expect(() => faults.remove('fault_9')).toThrow(/no fault fault_9/);
  });

  it('takes exactly one of body or text for a body fault', () => {
    const faults = new FaultSet(['body']);
    expect(() => faults.add({ kind: 'body' })).toThrow(/exactly one/);
    expect(() => faults.add({ kind: 'body', text: 'x', body: {} })).toThrow(/exactly one/);
    expect(faults.add({ kind: 'body', text: 'x' })).toMatchObject({ status: 200, text: 'x' });
  });
});
