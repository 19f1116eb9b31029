import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, filterParam, KEY, SECRET, SimulatorClient } from './simulator-client.ts';

const DAY = 24 * 3600_000;
const zoneless = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 19);

let sim: SimulatorClient;
let seeded: ReturnType<typeof seed>;

function seed() {
  const { state } = sim;
  state.reset();
  state.seedAccount({ name: 'acme', apiKey: KEY, apiSecret: SECRET });
  state.seedAccount({ name: 'other', apiKey: 'other-key', apiSecret: 'other-secret' });
  const main = state.seedFacility('acme', { facilityName: 'Main' });
  const bin = state.seedFacility('acme', { facilityName: 'Bin 1', parent: 'Main' });
  const closed = state.seedFacility('acme', { facilityName: 'Closed', active: false });
  const internal = state.seedProduct('acme', { productId: 'SKU-1', internalId: '10020196' });
  const plain = state.seedProduct('acme', { productId: 'SKU-2' });
  const order = state.seedOrder('acme', { orderId: '#1001', items: [{ productId: 'SKU-1', quantity: 3 }] });
  state.seedOrder('acme', { orderId: '1002', visibleAfterMs: 3600_000 });
  return { main, bin, closed, internal, plain, order };
}

const newReturn = (overrides: Record<string, unknown> = {}) => ({
  returnId: 'LOOP-1',
  primaryOrderUrl: seeded.order.orderUrl,
  destinationFacilityUrl: seeded.main.facilityUrl,
  returnItemList: [{ productUrl: seeded.internal.productUrl, quantity: 1, returnReasonId: '##user_00001' }],
  ...overrides,
});

beforeAll(async () => {
  sim = await SimulatorClient.start();
});
afterAll(() => sim.close());
beforeEach(() => {
  seeded = seed();
});

describe('Finale simulator: authentication', () => {
  it('answers 401 without credentials or with a wrong key or secret', async () => {
    const missing = await sim.api('/acme/api/facility', { authorization: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await sim.api('/acme/api/facility', { authorization: basic(KEY, 'nope') })).status).toBe(401);
    expect((await sim.api('/acme/api/facility', { authorization: basic('nope', SECRET) })).status).toBe(401);
    // Keys are per account.
    expect((await sim.api('/other/api/facility')).status).toBe(401);
  });

  it('answers 404 for an account path that does not exist', async () => {
    expect((await sim.api('/acme-typo/api/facility')).status).toBe(404);
  });
});

describe('Finale simulator: collections', () => {
  it('serves collections column-major, padding absent fields with null', async () => {
    const body = await sim.apiJson('/acme/api/facility');
    expect(body).toMatchObject({
      facilityName: ['Main', 'Bin 1', 'Closed'],
      facilityUrl: [seeded.main.facilityUrl, seeded.bin.facilityUrl, seeded.closed.facilityUrl],
      parentFacilityUrl: [null, seeded.main.facilityUrl, null],
      statusId: ['FACILITY_ACTIVE', 'FACILITY_ACTIVE', 'FACILITY_INACTIVE'],
    });
  });

  it('filters on base64 JSON ranges, several keys at once', async () => {
    sim.state.seedReturn('acme', {
      returnId: 'A',
      statusId: 'RETURN_COMPLETED',
      lastUpdatedDate: Date.now() - 2 * DAY,
    });
    sim.state.seedReturn('acme', { returnId: 'B', statusId: 'RETURN_COMPLETED' });
    sim.state.seedReturn('acme', { returnId: 'C' });
    const filter = filterParam({
      statusId: ['RETURN_COMPLETED', 'RETURN_COMPLETED'],
      lastUpdatedDate: [zoneless(Date.now() - DAY), null],
    });
    expect(await sim.apiJson(`/acme/api/return?filter=${encodeURIComponent(filter)}`)).toMatchObject({
      returnId: ['B'],
    });
  });

  it('matches exact values given twice, and nothing for a field rows lack', async () => {
    const exact = filterParam({ productId: ['SKU-1', 'SKU-1'] });
    expect(await sim.apiJson(`/acme/api/product?filter=${encodeURIComponent(exact)}`)).toMatchObject({
      productId: ['SKU-1'],
      productUrl: ['/acme/api/product/10020196'],
    });
    const missing = filterParam({ noSuchField: ['x', 'x'] });
    expect(await sim.apiJson(`/acme/api/product?filter=${encodeURIComponent(missing)}`)).toEqual({});
  });

  it('rejects a filter that is not base64 JSON ranges', async () => {
    const raw = await sim.api(
      `/acme/api/product?filter=${encodeURIComponent('{"productId":["SKU-1","SKU-1"]}')}`,
    );
    expect(raw.status).toBe(400);
    const notRange = await sim.api(
      `/acme/api/product?filter=${encodeURIComponent(filterParam({ productId: 'SKU-1' }))}`,
    );
    expect(notRange.status).toBe(400);
  });

  it.each([
    ['without a lower bound', () => [null, zoneless(Date.now())]],
    ['over 30 days', () => [zoneless(Date.now() - 31 * DAY), zoneless(Date.now())]],
    ['over 30 days up to now when open-ended', () => [zoneless(Date.now() - 31 * DAY), null]],
    ['with an unreadable date', () => ['last tuesday', null]],
  ])('answers 400 to a lastUpdatedDate range %s', async (_why, range) => {
    const filter = filterParam({ lastUpdatedDate: range() });
    const response = await sim.api(`/acme/api/return?filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/lastUpdatedDate/);
  });

  it('accepts a 30-day range, measuring an open end on the simulator clock', async () => {
    const filter = filterParam({ lastUpdatedDate: [zoneless(Date.now() - 29 * DAY), null] });
    expect((await sim.api(`/acme/api/return?filter=${encodeURIComponent(filter)}`)).status).toBe(200);
    sim.state.clock.advance(2 * DAY);
    expect((await sim.api(`/acme/api/return?filter=${encodeURIComponent(filter)}`)).status).toBe(400);
  });

  it('honours limit after filtering and ignores offset', async () => {
    for (const id of ['SKU-3', 'SKU-4']) sim.state.seedProduct('acme', { productId: id });
    const filter = encodeURIComponent(filterParam({ productId: ['SKU-2', null] }));
    expect(await sim.apiJson(`/acme/api/product?filter=${filter}&limit=2`)).toMatchObject({
      productId: ['SKU-2', 'SKU-3'],
    });
    expect(await sim.apiJson(`/acme/api/product?limit=1&offset=2`)).toMatchObject({ productId: ['SKU-1'] });
  });

  it('leaves line items out of order and return collections', async () => {
    sim.state.seedReturn('acme', { returnId: 'R', items: [{ productId: 'SKU-1' }] });
    expect(await sim.apiJson('/acme/api/order')).not.toHaveProperty('orderItemList');
    expect(await sim.apiJson('/acme/api/return')).not.toHaveProperty('returnItemList');
    expect(await sim.apiJson(seeded.order.orderUrl)).toMatchObject({
      orderItemList: [
        {
          orderItemUrl: '/acme/api/order/%231001/orderItem/00000001',
          productId: 'SKU-1',
          productUrl: '/acme/api/product/10020196',
          quantity: 3,
        },
      ],
    });
  });
});

describe('Finale simulator: records and URLs', () => {
  it('serves an order by its percent-encoded orderId, and not by a raw #', async () => {
    expect(seeded.order.orderUrl).toBe('/acme/api/order/%231001');
    expect(await sim.apiJson('/acme/api/order/%231001')).toMatchObject({
      orderId: '#1001',
      statusId: 'ORDER_LOCKED',
    });
    expect((await sim.api('/acme/api/order/#1001')).status).toBe(404);
  });

  it('keeps an order hidden until its sync lag has passed', async () => {
    expect((await sim.api('/acme/api/order/1002')).status).toBe(404);
    expect(await sim.apiJson('/acme/api/order')).toMatchObject({ orderId: ['#1001'] });
    sim.state.clock.advance(3600_000);
    expect((await sim.api('/acme/api/order/1002')).status).toBe(200);
  });

  it('serves products at URLs with internal numbers, not at /product/{sku}', async () => {
    expect(seeded.internal.productUrl).toBe('/acme/api/product/10020196');
    expect(await sim.apiJson(seeded.internal.productUrl)).toMatchObject({ productId: 'SKU-1' });
    expect((await sim.api('/acme/api/product/SKU-1')).status).toBe(404);
    expect(await sim.apiJson(seeded.plain.productUrl)).toMatchObject({ productId: 'SKU-2' });
  });

  it('serves a facility by its URL', async () => {
    expect(await sim.apiJson(seeded.bin.facilityUrl)).toMatchObject({
      facilityName: 'Bin 1',
      parentFacilityUrl: seeded.main.facilityUrl,
    });
  });
});

describe('Finale simulator: returns', () => {
  it('creates a return at an internal-number URL, with action URLs while it is a draft', async () => {
    const created = await sim.apiJson('/acme/api/return', { method: 'POST', body: newReturn() });
    expect(created).toMatchObject({
      returnId: 'LOOP-1',
      returnUrl: expect.stringMatching(/^\/acme\/api\/return\/\d+$/) as string,
      statusId: 'RETURN_CREATED',
      actionUrlComplete: `${String(created.returnUrl)}/complete`,
      actionUrlCancel: `${String(created.returnUrl)}/cancel`,
      returnItemList: [
        {
          productId: 'SKU-1',
          productUrl: seeded.internal.productUrl,
          quantity: 1,
          returnReasonId: '##user_00001',
        },
      ],
    });
    expect(await sim.apiJson(String(created.returnUrl))).toEqual(created);
  });

  it('completes through the action URL, updates lastUpdatedDate and withdraws the actions', async () => {
    const created = await sim.apiJson('/acme/api/return', { method: 'POST', body: newReturn() });
    sim.state.clock.advance(60_000);
    const completed = await sim.apiJson(String(created.actionUrlComplete), { method: 'POST' });
    expect(completed).toMatchObject({ statusId: 'RETURN_COMPLETED' });
    expect(completed.lastUpdatedDate).not.toBe(created.lastUpdatedDate);
    expect(completed).not.toHaveProperty('actionUrlComplete');
    expect(completed).not.toHaveProperty('actionUrlCancel');
    const cancel = await sim.api(String(created.actionUrlCancel), { method: 'POST' });
    expect(cancel.status).toBe(400);
    expect(await cancel.json()).toEqual({
      errorMessage: expect.stringMatching(/RETURN_COMPLETED/) as string,
    });
  });

  it.each([
    ['a returnId over 20 characters', () => ({ returnId: 'LOOP-1234567890123456' }), /20 ASCII/],
    [
      'a sublocation destination',
      () => ({ destinationFacilityUrl: seeded.bin.facilityUrl }),
      /must be a location/,
    ],
    ['an inactive destination', () => ({ destinationFacilityUrl: seeded.closed.facilityUrl }), /inactive/],
    [
      'a product URL built from the SKU',
      () => ({ returnItemList: [{ productUrl: '/acme/api/product/SKU-1', quantity: 1 }] }),
      /does not exist/,
    ],
    ['an order not synced yet', () => ({ primaryOrderUrl: '/acme/api/order/1002' }), /does not exist/],
    [
      'a zero quantity',
      () => ({ returnItemList: [{ productUrl: seeded.plain.productUrl, quantity: 0 }] }),
      /quantity/,
    ],
  ])('refuses a return with %s', async (_why, overrides, message) => {
    const response = await sim.api('/acme/api/return', { method: 'POST', body: newReturn(overrides()) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errorMessage: string }).errorMessage).toMatch(message);
    expect(sim.state.listReturns('acme')).toEqual([]);
  });

  it('allows a duplicate returnId by default and rejects it when configured to', async () => {
    await sim.apiJson('/acme/api/return', { method: 'POST', body: newReturn() });
    await sim.apiJson('/acme/api/return', { method: 'POST', body: newReturn() });
    expect(sim.state.listReturns('acme')).toHaveLength(2);
    sim.state.updateSettings({ duplicateReturnIds: 'reject' });
    const response = await sim.api('/acme/api/return', { method: 'POST', body: newReturn() });
    expect(response.status).toBe(400);
    expect(sim.state.listReturns('acme')).toHaveLength(2);
  });
});
