import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, NotFoundError, RetryableApiError } from '../../../integrations/errors.ts';
import type { NewFinaleReturn } from '../../../integrations/finale/types.ts';
import { ACCOUNT, FinaleFixture } from './finale-fixture.ts';

const RETURNS = 'GET /:account/api/return (collection)';
const RETURN = 'GET /:account/api/return/:id';
const CANCEL = 'POST /:account/api/return/:id/cancel';
const DAY = 24 * 3600_000;

let fx: FinaleFixture;
let seeded: ReturnType<FinaleFixture['reseed']>;

beforeAll(async () => {
  fx = await FinaleFixture.start();
});
afterAll(() => fx.stop());
beforeEach(() => {
  seeded = fx.reseed();
});

const newReturn = (overrides: Partial<NewFinaleReturn> = {}): NewFinaleReturn => ({
  returnId: 'LOOP-6042537',
  primaryOrderUrl: seeded.order.orderUrl,
  destinationFacilityUrl: seeded.main.facilityUrl,
  returnDate: new Date('2025-05-01T00:00:00Z'),
  notes: 'Loop return 6042537',
  items: [
    { productUrl: seeded.redShirt.productUrl, quantity: 2, returnReasonId: '##user_00003' },
    { productUrl: seeded.accented.productUrl, quantity: 1 },
  ],
  ...overrides,
});

describe('FinaleClient.createReturn', () => {
  it('creates the return and answers with its internal-number returnUrl', async () => {
    const created = await fx.client().createReturn(newReturn());
    expect(created).toMatchObject({
      returnId: 'LOOP-6042537',
      returnUrl: expect.stringMatching(/^\/acme\/api\/return\/\d+$/) as string,
      statusId: 'RETURN_CREATED',
      primaryOrderUrl: seeded.order.orderUrl,
      destinationFacilityUrl: seeded.main.facilityUrl,
      items: [
        {
          productUrl: '/acme/api/product/10020196',
          productId: 'SKU-RED-M',
          quantity: 2,
          returnReasonId: '##user_00003',
        },
        { productUrl: '/acme/api/product/10020200', productId: 'Cégep Al', quantity: 1 },
      ],
    });
    expect(fx.state.listReturns(ACCOUNT)).toEqual([
      expect.objectContaining({
        returnUrl: created.returnUrl,
        returnDate: '2025-05-01T00:00:00',
        notes: 'Loop return 6042537',
      }),
    ]);
  });

  it('is refused by Finale when a productUrl is built from the SKU', async () => {
    const concatenated = newReturn({ items: [{ productUrl: '/acme/api/product/SKU-RED-M', quantity: 1 }] });
    const error = await fx
      .client()
      .createReturn(concatenated)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({
      status: 400,
      apiMessage: expect.stringMatching(/does not exist/) as string,
    });
  });

  it('passes on the refusal of a sublocation as destination', async () => {
    const error = await fx
      .client()
      .createReturn(newReturn({ destinationFacilityUrl: seeded.bin.facilityUrl }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ apiMessage: expect.stringMatching(/must be a location/) as string });
  });

  it.each([
    ['longer than 20 characters', 'LOOP-123456789012345678'],
    ['not ASCII', 'LOOP-ÅÄÖ'],
    ['empty', ''],
  ])('rejects a returnId %s before sending anything', async (_why, returnId) => {
    await expect(fx.client().createReturn(newReturn({ returnId }))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(fx.state.calls.snapshot().total).toBe(0);
  });

  it('rejects a return without items, or with URLs of another account, before sending anything', async () => {
    await expect(fx.client().createReturn(newReturn({ items: [] }))).rejects.toThrow(/at least one item/);
    await expect(
      fx.client().createReturn(newReturn({ destinationFacilityUrl: '/other/api/facility/10000' })),
    ).rejects.toThrow(/not a resource URL of Finale account "acme"/);
    expect(fx.state.calls.snapshot().total).toBe(0);
  });

  it('passes on a duplicate returnId refused by Finale', async () => {
    fx.state.updateSettings({ duplicateReturnIds: 'reject' });
    await fx.client().createReturn(newReturn());
    const error = await fx
      .client()
      .createReturn(newReturn())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ apiMessage: expect.stringMatching(/already exists/) as string });
  });

  it('finds the first of two returns when Finale lets a duplicate returnId through', async () => {
    const first = await fx.client().createReturn(newReturn());
    const second = await fx.client().createReturn(newReturn());
    expect(second.returnUrl).not.toBe(first.returnUrl);
    expect(await fx.lookUp('LOOP-6042537')).toMatchObject({
      returnUrl: first.returnUrl,
    });
  });
});

describe('FinaleClient.getReturn', () => {
  it('follows the host-relative returnUrl without prefixing the account path again', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.calls.reset();
    expect(await fx.client().getReturn(created.returnUrl)).toEqual(created);
    expect(fx.state.calls.snapshot()).toEqual({ total: 1, byEndpoint: { [RETURN]: 1 }, byVersion: {} });
  });

  it('reads what the warehouse received once it completed the return, in one read', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.completeReturn(created.returnUrl, {
      items: [
        { productId: 'SKU-RED-M', quantity: 1, returnReasonId: '##user_00003' },
        { productId: 'SKU-RED', quantity: 1 },
      ],
    });
    fx.state.calls.reset();
    expect(await fx.client().getReturn(created.returnUrl)).toMatchObject({
      statusId: 'RETURN_COMPLETED',
      items: [
        {
          productUrl: '/acme/api/product/10020196',
          productId: 'SKU-RED-M',
          quantity: 1,
          returnReasonId: '##user_00003',
        },
        { productUrl: '/acme/api/product/SKU-RED', productId: 'SKU-RED', quantity: 1 },
      ],
    });
    expect(fx.state.calls.snapshot().total).toBe(1);
  });

  it('tells a return without lines from one whose lines were left out', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.completeReturn(created.returnUrl, { items: [] });
    expect((await fx.client().getReturn(created.returnUrl)).items).toEqual([]);
  });

  it('raises NotFoundError for a return that does not exist', async () => {
    await fx.client().checkCredentials();
    await expect(fx.client().getReturn('/acme/api/return/1')).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    'https://evil.example/acme/api/return/10000',
    '//evil.example/acme/api/return/1',
    '/other/api/return/1',
    'acme/api/return/1',
  ])('will not send the credentials to %s', async (url) => {
    await expect(fx.client().getReturn(url)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(fx.state.calls.snapshot().total).toBe(0);
  });
});

describe('looking a returnId up through the client', () => {
  it('finds a return by its exact returnId in one collection read of a lastUpdatedDate window', async () => {
    fx.state.seedReturn(ACCOUNT, { returnId: 'LOOP-100' });
    const wanted = fx.state.seedReturn(ACCOUNT, { returnId: 'LOOP-10', statusId: 'RETURN_COMPLETED' });
    fx.state.calls.reset();
    expect(await fx.lookUp('LOOP-10')).toMatchObject({
      returnId: 'LOOP-10',
      returnUrl: wanted.returnUrl,
      statusId: 'RETURN_COMPLETED',
    });
    expect(fx.state.calls.snapshot()).toEqual({ total: 1, byEndpoint: { [RETURNS]: 1 }, byVersion: {} });
  });

  it('answers undefined when no return has that returnId', async () => {
    fx.state.seedReturn(ACCOUNT, { returnId: 'LOOP-100' });
    expect(await fx.lookUp('LOOP-1')).toBeUndefined();
  });
});

describe('FinaleClient.listReturnsChanged', () => {
  const seedAged = () => {
    const now = Date.now();
    fx.state.seedReturn(ACCOUNT, {
      returnId: 'OLD',
      lastUpdatedDate: now - 40 * DAY,
      statusId: 'RETURN_COMPLETED',
    });
    fx.state.seedReturn(ACCOUNT, {
      returnId: 'WEEK',
      lastUpdatedDate: now - 7 * DAY,
      statusId: 'RETURN_COMPLETED',
    });
    fx.state.seedReturn(ACCOUNT, {
      returnId: 'DONE',
      lastUpdatedDate: now - DAY,
      statusId: 'RETURN_COMPLETED',
    });
    fx.state.seedReturn(ACCOUNT, {
      returnId: 'GONE',
      lastUpdatedDate: now - DAY,
      statusId: 'RETURN_CANCELLED',
    });
    fx.state.seedReturn(ACCOUNT, { returnId: 'OPEN' });
    fx.state.calls.reset();
    return now;
  };

  it('lists the returns updated since a date in one collection read', async () => {
    const now = seedAged();
    const changed = await fx.client().listReturnsChanged({ since: new Date(now - 2 * DAY) });
    expect(changed.map((r) => r.returnId)).toEqual(['DONE', 'GONE', 'OPEN']);
    expect(fx.state.calls.snapshot()).toEqual({ total: 1, byEndpoint: { [RETURNS]: 1 }, byVersion: {} });
  });

  it('filters statuses after the read, still with one collection read', async () => {
    const now = seedAged();
    const completed = await fx
      .client()
      .listReturnsChanged({ since: new Date(now - 10 * DAY), statuses: ['RETURN_COMPLETED'] });
    expect(completed.map((r) => [r.returnId, r.statusId])).toEqual([
      ['WEEK', 'RETURN_COMPLETED'],
      ['DONE', 'RETURN_COMPLETED'],
    ]);
    expect(fx.calls(RETURNS)).toBe(1);
  });

  it('carries the lines only when Finale lists them in the collection', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.completeReturn(created.returnUrl, { items: [{ productId: 'SKU-RED-M', quantity: 1 }] });
    const since = new Date(Date.now() - DAY);
    const [omitted] = await fx.client().listReturnsChanged({ since });
    expect(omitted).not.toHaveProperty('items');
    fx.state.updateSettings({ collectionReturnItems: 'include' });
    const [listed] = await fx.client().listReturnsChanged({ since });
    expect(listed?.items).toEqual([
      {
        productUrl: '/acme/api/product/10020196',
        productId: 'SKU-RED-M',
        quantity: 1,
        returnReasonId: undefined,
      },
    ]);
  });

  it('honours a closed window', async () => {
    const now = seedAged();
    const changed = await fx
      .client()
      .listReturnsChanged({ since: new Date(now - 30 * DAY), until: new Date(now - 5 * DAY) });
    expect(changed.map((r) => r.returnId)).toEqual(['WEEK']);
  });

  it.each([
    ['over 30 days', { since: new Date(Date.now() - 31 * DAY) }],
    [
      'closed but over 30 days',
      { since: new Date(Date.now() - 62 * DAY), until: new Date(Date.now() - 31 * DAY) },
    ],
    ['without a valid lower bound', { since: new Date(Number.NaN) }],
  ])('rejects a window %s before sending anything', async (_why, query) => {
    const error = await fx
      .client()
      .listReturnsChanged(query)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(fx.state.calls.snapshot().total).toBe(0);
  });

  it('sees lastUpdatedDate as the simulator clock sets it', async () => {
    fx.state.clock.set(Date.parse('2030-03-01T10:00:00Z'));
    await fx.client().createReturn(newReturn());
    const [changed] = await fx.client().listReturnsChanged({ since: new Date('2030-03-01T09:00:00Z') });
    expect(changed?.lastUpdatedDate).toBe('2030-03-01T10:00:00');
  });
});

describe('FinaleClient.cancelReturn', () => {
  it("cancels a draft through the record's action URL", async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.clock.advance(60_000);
    const cancelled = await fx.client().cancelReturn(created.returnUrl);
    expect(cancelled).toMatchObject({ returnUrl: created.returnUrl, statusId: 'RETURN_CANCELLED' });
    expect(cancelled.lastUpdatedDate).not.toBe(created.lastUpdatedDate);
    expect(fx.calls(CANCEL)).toBe(1);
    expect(fx.state.listReturns(ACCOUNT)[0]).not.toHaveProperty('actionUrlCancel');
  });

  it('counts a return already cancelled in Finale as done, without posting again', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.cancelReturn(created.returnUrl);
    expect(await fx.client().cancelReturn(created.returnUrl)).toMatchObject({ statusId: 'RETURN_CANCELLED' });
    expect(fx.calls(CANCEL)).toBe(0);
  });

  it('refuses to cancel a return the warehouse has completed', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.completeReturn(created.returnUrl);
    await expect(fx.client().cancelReturn(created.returnUrl)).rejects.toThrow(/already completed/);
    expect(fx.calls(CANCEL)).toBe(0);
  });

  it('finishes on a retry when the first cancel took effect but its answer was lost', async () => {
    const created = await fx.client().createReturn(newReturn());
    fx.state.faults.add({ kind: 'apply-then-drop', endpoint: CANCEL, count: 1 });
    await expect(fx.client().cancelReturn(created.returnUrl)).rejects.toBeInstanceOf(RetryableApiError);
    expect(await fx.client().cancelReturn(created.returnUrl)).toMatchObject({ statusId: 'RETURN_CANCELLED' });
    expect(fx.calls(CANCEL)).toBe(1);
  });
});

describe('FinaleClient and customer data', () => {
  it('returns no party, address or free-text customer data from any call', async () => {
    const pii = ['Jane Doe', '1 Hidden Lane', 'jane@example.com', 'partygroup'];
    fx.state.seedOrder(ACCOUNT, {
      orderId: '2001',
      extra: {
        customerName: 'Jane Doe',
        shipToAddress: { street: '1 Hidden Lane' },
        email: 'jane@example.com',
      },
    });
    const seededReturn = fx.state.seedReturn(ACCOUNT, {
      returnId: 'LOOP-PII',
      orderId: '2001',
      items: [{ productId: 'SKU-RED-M' }],
      extra: {
        fromPartyUrl: '/acme/api/partygroup/10028',
        publicNotes: 'Jane Doe, 1 Hidden Lane',
        email: 'jane@example.com',
      },
    });
    // The simulator really serves them, so the assertions below can fail.
    expect(JSON.stringify(fx.state.listReturns(ACCOUNT))).toContain('Jane Doe');

    const client = fx.client();
    const results = [
      await client.getOrder('2001', ['name']),
      await client.getReturn(seededReturn.returnUrl),
      await client.listReturnsChanged({ since: new Date(Date.now() - DAY) }),
      await client.cancelReturn(seededReturn.returnUrl),
    ];
    const serialised = JSON.stringify(results);
    for (const value of pii) expect(serialised).not.toContain(value);
  });
});
