import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, InvalidRequestError, RetryableApiError } from '../../../integrations/errors.ts';
import { orderIdForms } from '../../../integrations/finale/order-id-forms.ts';
import { ACCOUNT, API_KEY, API_SECRET, FinaleFixture } from './finale-fixture.ts';

const FACILITIES = 'GET /:account/api/facility (collection)';
const PRODUCTS = 'GET /:account/api/product (collection)';
const ORDER = 'GET /:account/api/order/:id';

let fx: FinaleFixture;
let seeded: ReturnType<FinaleFixture['reseed']>;

beforeAll(async () => {
  fx = await FinaleFixture.start();
});
afterAll(() => fx.stop());
beforeEach(() => {
  seeded = fx.reseed();
});

describe('FinaleClient.checkCredentials', () => {
  it('passes with the right account, key and secret, in one small collection read', async () => {
    await expect(fx.client().checkCredentials()).resolves.toBeUndefined();
    expect(fx.calls(FACILITIES)).toBe(1);
  });

  it('says the key or secret is wrong on a 401', async () => {
    for (const client of [fx.client({ apiSecret: 'wrong-secret' }), fx.client({ apiKey: 'wrong-key' })]) {
      const error = await client.checkCredentials().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({
        status: 401,
        message: expect.stringMatching(/API key or secret/) as string,
      });
    }
  });

  it('says the account name is wrong on a 404', async () => {
    const error = await fx
      .client({ accountName: 'acme-typo' })
      .checkCredentials()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      status: 404,
      message: expect.stringMatching(/no account named "acme-typo"/) as string,
    });
    expect((error as Error).message).not.toMatch(/API key/);
  });

  it('accepts an account name typed with capitals and spaces', async () => {
    await expect(
      fx.client({ accountName: ` ${ACCOUNT.toUpperCase()} ` }).checkCredentials(),
    ).resolves.toBeUndefined();
  });
});

describe('FinaleClient facilities', () => {
  it('reads the column-major facility collection into one facility per row', async () => {
    const facilities = await fx.client().listFacilities();
    expect(facilities.map((f) => [f.facilityName, f.kind, f.active])).toEqual([
      ['Main Warehouse', 'location', true],
      ['Returns Dock', 'sublocation', true],
      ['Old Depot', 'location', false],
      ['East Annex', 'location', true],
    ]);
    expect(facilities[1]).toMatchObject({ parentFacilityUrl: seeded.main.facilityUrl });
  });

  it('resolves an active location by its exact name to the URL Finale gave it', async () => {
    const match = await fx.client().resolveLocation('Main Warehouse');
    expect(match.found).toMatchObject({
      facilityName: 'Main Warehouse',
      facilityUrl: seeded.main.facilityUrl,
    });
  });

  it('offers near matches that differ only by case or spacing, and every active location', async () => {
    for (const typed of ['main warehouse', '  Main   Warehouse ', 'MAIN WAREHOUSE']) {
      expect(await fx.client().resolveLocation(typed)).toEqual({
        found: undefined,
        nearMatches: ['Main Warehouse'],
        locations: ['Main Warehouse', 'East Annex'],
      });
    }
  });

  it('does not accept a sublocation, even with the exact name', async () => {
    expect(await fx.client().resolveLocation('Returns Dock')).toEqual({
      found: undefined,
      nearMatches: [],
      locations: ['Main Warehouse', 'East Annex'],
    });
  });

  it('does not accept an inactive location', async () => {
    expect((await fx.client().resolveLocation('Old Depot')).found).toBeUndefined();
  });
});

describe('FinaleClient.getOrder', () => {
  it('finds an order Finale keys by the bare number, trying the name first', async () => {
    const order = await fx.client().getOrder('#1001', ['name', 'number']);
    expect(order).toMatchObject({
      orderId: '1001',
      orderUrl: seeded.order.orderUrl,
      statusId: 'ORDER_LOCKED',
    });
    expect(fx.calls(ORDER)).toBe(2);
  });

  it("lists the order's products with the productUrls Finale gives them", async () => {
    const order = await fx.client().getOrder('1001', ['name']);
    expect(order?.items).toEqual([{ productId: 'SKU-RED-M', productUrl: '/acme/api/product/10020196' }]);
  });

  it('finds an order Finale keys with the hash, sent percent-encoded as %23', async () => {
    const order = await fx.client().getOrder('#1002', ['number', 'hash-number']);
    expect(order).toEqual({
      orderId: '#1002',
      orderUrl: '/acme/api/order/%231002',
      statusId: 'ORDER_LOCKED',
      items: [],
    });
  });

  it('percent-encodes spaces and slashes in order IDs', async () => {
    fx.state.seedOrder(ACCOUNT, { orderId: '200 CAL' });
    fx.state.seedOrder(ACCOUNT, { orderId: 'A/7' });
    expect(await fx.client().getOrder('200 CAL', ['name'])).toMatchObject({
      orderUrl: '/acme/api/order/200%20CAL',
    });
    expect(await fx.client().getOrder('A/7', ['name'])).toMatchObject({
      orderId: 'A/7',
      orderUrl: '/acme/api/order/A%2F7',
    });
  });

  it('answers undefined after trying each distinct form once', async () => {
    await fx.client().checkCredentials();
    fx.state.calls.reset();
    expect(await fx.client().getOrder('#9999', orderIdForms)).toBeUndefined();
    expect(fx.state.calls.snapshot()).toEqual({ total: 2, byEndpoint: { [ORDER]: 2 }, byVersion: {} });
  });

  it('finds an order only once its sync lag has passed on the simulator clock', async () => {
    fx.state.seedOrder(ACCOUNT, { orderId: '1003', visibleAfterMs: 10 * 60_000 });
    expect(await fx.client().getOrder('#1003', ['number'])).toBeUndefined();
    fx.state.clock.advance(10 * 60_000);
    expect(await fx.client().getOrder('#1003', ['number'])).toMatchObject({ orderId: '1003' });
  });

  it('finds a lagging order as soon as it is published', async () => {
    fx.state.seedOrder(ACCOUNT, { orderId: '1004', visibleAfterMs: 24 * 3600_000 });
    expect(await fx.client().getOrder('1004', ['name'])).toBeUndefined();
    fx.state.publishOrder(ACCOUNT, '1004');
    expect(await fx.client().getOrder('1004', ['name'])).toMatchObject({ orderId: '1004' });
  });

  it('propagates failures other than a 404 instead of trying the next form', async () => {
    fx.state.faults.add({ kind: 'server-error', status: 502, endpoint: ORDER, count: 1 });
    const error = await fx
      .client()
      .getOrder('#1001', ['name', 'number'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error).toMatchObject({ reason: 'server', status: 502 });
    expect(fx.calls(ORDER)).toBe(1);
  });

  it('checks an account it has not heard from yet once for a burst of missing orders, not once each', async () => {
    // An account of its own: accounts that answered once are remembered for the whole process.
    fx.state.seedAccount({ name: 'burst', apiKey: API_KEY, apiSecret: API_SECRET });
    const client = fx.client({ accountName: 'burst' });
    const lookups = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.getOrder(`#${5000 + i}`, ['name'])),
    );
    expect(lookups).toEqual(lookups.map(() => undefined));
    expect(fx.calls(ORDER)).toBe(6);
    expect(fx.calls(FACILITIES)).toBe(1);
  });

  it('reports a wrong account name rather than a missing order', async () => {
    const error = await fx
      .client({ accountName: 'nosuch' })
      .getOrder('#1001', orderIdForms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      status: 404,
      message: expect.stringMatching(/no account named "nosuch"/) as string,
    });
  });

  it('does not spend a collection read on a miss once the account has answered', async () => {
    await fx.client().checkCredentials();
    fx.state.calls.reset();
    await fx.client().getOrder('#5555', ['number']);
    expect(fx.calls(FACILITIES)).toBe(0);
  });

  it('rejects an empty order name without a request', async () => {
    await expect(fx.client().getOrder(' # ', orderIdForms)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(fx.state.calls.snapshot().total).toBe(0);
  });
});

describe('FinaleClient.resolveProduct', () => {
  it('returns the productUrl Finale gives, which uses an internal number rather than the SKU', async () => {
    const product = await fx.client().resolveProduct('SKU-RED-M');
    expect(product).toEqual({ productId: 'SKU-RED-M', productUrl: '/acme/api/product/10020196' });
    expect(product?.productUrl).not.toContain('SKU-RED-M');
  });

  it('looks the SKU up with one base64-filtered collection read', async () => {
    await fx.client().resolveProduct('SKU-RED-M');
    expect(fx.state.calls.snapshot()).toEqual({ total: 1, byEndpoint: { [PRODUCTS]: 1 }, byVersion: {} });
  });

  it('matches the SKU exactly', async () => {
    expect(await fx.client().resolveProduct('SKU-RED')).toEqual({
      productId: 'SKU-RED',
      productUrl: '/acme/api/product/SKU-RED',
    });
    expect(await fx.client().resolveProduct('SKU-R')).toBeUndefined();
  });

  it('resolves a non-ASCII SKU', async () => {
    expect(await fx.client().resolveProduct('Cégep Al')).toMatchObject({
      productUrl: seeded.accented.productUrl,
    });
  });

  it('answers undefined for an unknown SKU and refuses an empty one', async () => {
    expect(await fx.client().resolveProduct('NOPE-1')).toBeUndefined();
    await expect(fx.client().resolveProduct(' ')).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
