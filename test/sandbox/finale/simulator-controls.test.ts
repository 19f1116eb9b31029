import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY, SECRET, SimulatorClient } from './simulator-client.ts';

const ORDER = 'GET /:account/api/order/:id';
const FACILITIES = 'GET /:account/api/facility (collection)';

let sim: SimulatorClient;

beforeAll(async () => {
  sim = await SimulatorClient.start();
});
afterAll(() => sim.close());

/** Seeds one account with a location, a product and an order, all through the HTTP controls. */
async function seedOverHttp() {
  expect((await sim.control('/reset', { method: 'POST' })).status).toBe(204);
  const account = await sim.control('/accounts', { body: { name: 'acme', apiKey: KEY, apiSecret: SECRET } });
  expect(account.status).toBe(201);
  await sim.control('/accounts/acme/facilities', { body: { facilityName: 'Main' } });
  const bin = await sim.control('/accounts/acme/facilities', {
    body: { facilityName: 'Bin', parent: 'Main' },
  });
  expect(await bin.json()).toMatchObject({
    parentFacilityUrl: expect.stringMatching(/^\/acme\/api\/facility\/\d+$/) as string,
  });
  const product = await sim.control('/accounts/acme/products', {
    body: { productId: 'SKU-1', internalId: '777' },
  });
  expect(await product.json()).toMatchObject({ productUrl: '/acme/api/product/777' });
  await sim.control('/accounts/acme/orders', { body: { orderId: '#1001' } });
  await sim.control('/calls', { method: 'DELETE' });
}

beforeEach(seedOverHttp);

describe('Finale simulator controls: seeding', () => {
  it('serves what the controls seeded through the API', async () => {
    expect(await sim.apiJson('/acme/api/facility')).toMatchObject({ facilityName: ['Main', 'Bin'] });
    expect(await sim.apiJson('/acme/api/order/%231001')).toMatchObject({ orderId: '#1001' });
  });

  it('seeds returns, e.g. long-finished ones, and lists them', async () => {
    const seeded = await sim.control('/accounts/acme/returns', {
      body: {
        returnId: 'OLD-1',
        statusId: 'RETURN_COMPLETED',
        orderId: '#1001',
        facilityName: 'Main',
        items: [{ productId: 'SKU-1', quantity: 2 }],
        lastUpdatedDate: '2024-01-02T03:04:05Z',
      },
    });
    expect(seeded.status).toBe(201);
    const listed = (await (await sim.control('/accounts/acme/returns')).json()) as Record<string, unknown>[];
    expect(listed).toEqual([
      expect.objectContaining({
        returnId: 'OLD-1',
        statusId: 'RETURN_COMPLETED',
        primaryOrderUrl: '/acme/api/order/%231001',
        lastUpdatedDate: '2024-01-02T03:04:05',
        returnItemList: [{ productId: 'SKU-1', productUrl: '/acme/api/product/777', quantity: 2 }],
      }),
    ]);
    expect(listed[0]).not.toHaveProperty('actionUrlCancel');
  });

  it('rejects invalid or conflicting seeds with a reason', async () => {
    const invalid = await sim.control('/accounts', {
      body: { name: 'Has Caps', apiKey: 'k', apiSecret: 's' },
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: expect.stringMatching(/lower case/) as string,
      issues: expect.objectContaining({ properties: { name: expect.anything() as unknown } }) as unknown,
    });
    expect((await sim.control('/accounts/acme/facilities', { body: { facilityName: 'Bin' } })).status).toBe(
      409,
    );
    expect((await sim.control('/accounts/nobody/products', { body: { productId: 'X' } })).status).toBe(404);
  });

  it('forgets everything on reset', async () => {
    await sim.control('/reset', { method: 'POST' });
    expect((await sim.api('/acme/api/facility')).status).toBe(404);
  });
});

describe('Finale simulator controls: sync lag and the clock', () => {
  it('shows a lagging order once the clock is advanced past its delay', async () => {
    await sim.control('/accounts/acme/orders', { body: { orderId: '1002', visibleAfterMs: 600_000 } });
    expect((await sim.api('/acme/api/order/1002')).status).toBe(404);
    const advanced = await sim.control('/clock', { body: { advanceMs: 600_000 } });
    expect(((await advanced.json()) as { now: number }).now).toBeGreaterThanOrEqual(Date.now() + 599_000);
    expect((await sim.api('/acme/api/order/1002')).status).toBe(200);
  });

  it('shows a lagging order once it is published', async () => {
    await sim.control('/accounts/acme/orders', { body: { orderId: '#1003', visibleAfterMs: 86_400_000 } });
    expect((await sim.api('/acme/api/order/%231003')).status).toBe(404);
    expect((await sim.control('/accounts/acme/orders/%231003/publish', { method: 'POST' })).status).toBe(200);
    expect((await sim.api('/acme/api/order/%231003')).status).toBe(200);
  });

  it('sets the clock to an instant and back to real time', async () => {
    const set = await sim.control('/clock', { body: { now: '2031-02-03T04:05:06Z' } });
    expect(await set.json()).toMatchObject({
      iso: expect.stringMatching(/^2031-02-03T04:05:0[67]/) as string,
    });
    const created = await sim.control('/accounts/acme/returns', { body: { returnId: 'R-1' } });
    expect(await created.json()).toMatchObject({
      lastUpdatedDate: expect.stringMatching(/^2031-02-03T04:05/) as string,
    });
    await sim.control('/clock', { body: { real: true } });
    const now = (await (await sim.control('/clock')).json()) as { now: number };
    expect(Math.abs(now.now - Date.now())).toBeLessThan(1_000);
  });
});

describe('Finale simulator controls: the warehouse', () => {
  const createReturn = async () => {
    const facilities = await sim.apiJson<{ facilityUrl: string[] }>('/acme/api/facility');
    return sim.apiJson<{ returnUrl: string; lastUpdatedDate: string }>('/acme/api/return', {
      method: 'POST',
      body: {
        returnId: 'LOOP-1',
        destinationFacilityUrl: facilities.facilityUrl[0],
        returnItemList: [{ productUrl: '/acme/api/product/777', quantity: 1 }],
      },
    });
  };

  it('completes a return: status, lastUpdatedDate and no more action URLs', async () => {
    const created = await createReturn();
    await sim.control('/clock', { body: { advanceMs: 120_000 } });
    const completed = await sim.control('/returns/complete', { body: { returnUrl: created.returnUrl } });
    expect(completed.status).toBe(200);
    const record = await sim.apiJson(created.returnUrl);
    expect(record).toMatchObject({ statusId: 'RETURN_COMPLETED' });
    expect(record.lastUpdatedDate).not.toBe(created.lastUpdatedDate);
    expect(record).not.toHaveProperty('actionUrlComplete');
    expect((await sim.control('/returns/cancel', { body: { returnUrl: created.returnUrl } })).status).toBe(
      409,
    );
  });

  it('records what the warehouse received: fewer units, another product, a line left out', async () => {
    await sim.control('/accounts/acme/products', { body: { productId: 'SKU-2' } });
    const created = await createReturn();
    const changed = await sim.control('/returns/items', {
      body: {
        returnUrl: created.returnUrl,
        items: [{ productId: 'SKU-2', quantity: 3, returnReasonId: '##user_00002' }],
      },
    });
    expect(changed.status).toBe(200);
    expect(await sim.apiJson(created.returnUrl)).toMatchObject({
      statusId: 'RETURN_CREATED',
      returnItemList: [
        {
          productId: 'SKU-2',
          productUrl: '/acme/api/product/SKU-2',
          quantity: 3,
          returnReasonId: '##user_00002',
        },
      ],
    });
    const unknown = await sim.control('/returns/items', {
      body: { returnUrl: created.returnUrl, items: [{ productId: 'NOPE' }] },
    });
    expect(unknown.status).toBe(404);
    expect((await sim.control('/returns/items', { body: { returnUrl: created.returnUrl } })).status).toBe(
      400,
    );
  });

  it('completes a return with the items received, and then refuses any change', async () => {
    const created = await createReturn();
    const completed = await sim.control('/returns/complete', {
      body: { returnUrl: created.returnUrl, items: [] },
    });
    expect(await completed.json()).toMatchObject({ statusId: 'RETURN_COMPLETED', returnItemList: [] });
    const late = await sim.control('/returns/items', {
      body: { returnUrl: created.returnUrl, items: [{ productId: 'SKU-1' }] },
    });
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({
      error: 'return LOOP-1 is RETURN_COMPLETED and can no longer change',
    });
  });

  it('does the same in-process: changeReturnItems, completeReturn with items', async () => {
    const created = await createReturn();
    sim.state.changeReturnItems(created.returnUrl, [{ productId: 'SKU-1', quantity: 2 }]);
    const completed = sim.state.completeReturn(created.returnUrl, {
      items: [{ productId: 'SKU-1', quantity: 1 }],
    });
    expect(completed).toMatchObject({
      statusId: 'RETURN_COMPLETED',
      returnItemList: [{ productId: 'SKU-1', quantity: 1 }],
    });
    expect(() => sim.state.completeReturn(created.returnUrl)).toThrow(/can no longer change/);
  });

  it('leaves items out of return collection reads unless set to include them', async () => {
    await createReturn();
    expect(await sim.apiJson('/acme/api/return')).not.toHaveProperty('returnItemList');
    await sim.control('/settings', { method: 'PATCH', body: { collectionReturnItems: 'include' } });
    expect(await sim.apiJson('/acme/api/return')).toMatchObject({
      returnItemList: [[{ productId: 'SKU-1', productUrl: '/acme/api/product/777', quantity: 1 }]],
    });
  });

  it('cancels a return', async () => {
    const created = await createReturn();
    expect((await sim.control('/returns/cancel', { body: { returnUrl: created.returnUrl } })).status).toBe(
      200,
    );
    expect(await sim.apiJson(created.returnUrl)).toMatchObject({ statusId: 'RETURN_CANCELLED' });
  });

  it('rejects duplicate returnIds once configured to', async () => {
    const settings = await sim.control('/settings', {
      method: 'PATCH',
      body: { duplicateReturnIds: 'reject' },
    });
    const expected = {
      duplicateReturnIds: 'reject',
      collectionReturnItems: 'omit',
      rateLimits: { get: null, post: null, collection: null },
    };
    expect(await settings.json()).toEqual(expected);
    expect(await (await sim.control('/settings')).json()).toEqual(expected);
    await createReturn();
    await expect(createReturn()).rejects.toThrow(/HTTP 400/);
  });
});

describe('Finale simulator controls: faults', () => {
  it('fails matching calls with a 5xx for the given count, then expires', async () => {
    const added = await sim.control('/faults', {
      body: { kind: 'server-error', status: 502, endpoint: ORDER, count: 2 },
    });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    expect((await sim.api('/acme/api/facility')).status).toBe(200);
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(502);
    expect(await (await sim.control('/faults')).json()).toEqual({
      faults: [expect.objectContaining({ id, count: 2, remaining: 1 })],
    });
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(502);
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(200);
    expect(await (await sim.control('/faults')).json()).toEqual({ faults: [] });
  });

  it('scopes faults with * patterns and clears them', async () => {
    await sim.control('/faults', { body: { kind: 'server-error', endpoint: 'GET * (collection)' } });
    expect((await sim.api('/acme/api/product')).status).toBe(503);
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(200);
    expect((await sim.control('/faults', { method: 'DELETE' })).status).toBe(204);
    expect((await sim.api('/acme/api/product')).status).toBe(200);
  });

  it.each([
    ['seconds', (reset: number) => reset > 1e9 && reset < 1e11 && reset * 1000 - Date.now() <= 31_000],
    [
      'milliseconds',
      (reset: number) => reset > 1e12 && reset - Date.now() <= 30_000 && reset - Date.now() > 28_000,
    ],
  ])('answers 429 with X-RateLimit-Reset in %s and no Retry-After', async (resetUnit, plausible) => {
    await sim.control('/faults', { body: { kind: 'rate-limit', resetUnit, resetInMs: 30_000, count: 1 } });
    const response = await sim.api('/acme/api/facility');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(response.headers.get('x-ratelimit-limit')).toBe('120');
    expect(plausible(Number(response.headers.get('x-ratelimit-reset')))).toBe(true);
  });

  it('adds a Retry-After only when the fault gives one', async () => {
    await sim.control('/faults', { body: { kind: 'rate-limit', retryAfter: '7', count: 1 } });
    const response = await sim.api('/acme/api/facility');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-ratelimit-reset')).not.toBeNull();
  });

  it('can leave the reset header out of a 429', async () => {
    await sim.control('/faults', { body: { kind: 'rate-limit', omitReset: true, count: 1 } });
    const response = await sim.api('/acme/api/facility');
    expect(response.status).toBe(429);
    expect(response.headers.get('x-ratelimit-reset')).toBeNull();
  });

  it('delays matching calls', async () => {
    await sim.control('/faults', { body: { kind: 'latency', ms: 120, endpoint: FACILITIES, count: 1 } });
    const started = Date.now();
    expect((await sim.api('/acme/api/facility')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it.each([
    ['plain-string', { text: 'Nope' }, 'text/plain', 'Nope'],
    [
      'success-false',
      { body: { success: false, error: 'Nope' } },
      'application/json',
      { success: false, error: 'Nope' },
    ],
    ['error-message', { body: { errorMessage: 'Nope' } }, 'application/json', { errorMessage: 'Nope' }],
    [
      'errors',
      { body: { errors: [{ message: 'Nope' }] } },
      'application/json',
      { errors: [{ message: 'Nope' }] },
    ],
  ])('answers 200 with a %s error body', async (_shape, fault, type, body) => {
    await sim.control('/faults', { body: { kind: 'body', ...fault, count: 1 } });
    const response = await sim.api('/acme/api/facility');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
    expect(type === 'text/plain' ? await response.text() : await response.json()).toEqual(body);
  });

  it('drops the connection without applying the request', async () => {
    await sim.control('/faults', { body: { kind: 'drop', endpoint: 'POST /:account/api/return', count: 1 } });
    const post = sim.api('/acme/api/return', { method: 'POST', body: { returnId: 'X-1' } });
    await expect(post).rejects.toThrow();
    expect(await (await sim.control('/accounts/acme/returns')).json()).toEqual([]);
  });

  it('applies a create, then drops the connection', async () => {
    await sim.control('/faults', {
      body: { kind: 'apply-then-drop', endpoint: 'POST /:account/api/return', count: 1 },
    });
    await expect(
      sim.api('/acme/api/return', { method: 'POST', body: { returnId: 'X-1' } }),
    ).rejects.toThrow();
    expect(await (await sim.control('/accounts/acme/returns')).json()).toEqual([
      expect.objectContaining({ returnId: 'X-1' }),
    ]);
  });

  it('applies a create but answers without its URLs', async () => {
    await sim.control('/faults', { body: { kind: 'missing-url', count: 1 } });
    const answer = await sim.apiJson('/acme/api/return', { method: 'POST', body: { returnId: 'X-1' } });
    expect(answer).toMatchObject({ returnId: 'X-1' });
    expect(answer).not.toHaveProperty('returnUrl');
    expect(await (await sim.control('/accounts/acme/returns')).json()).toHaveLength(1);
  });

  it('rejects an unknown fault kind, and pagination faults (Finale collections do not page)', async () => {
    expect((await sim.control('/faults', { body: { kind: 'meteor' } })).status).toBe(400);
    expect((await sim.control('/faults', { body: { kind: 'endless-pages' } })).status).toBe(400);
  });

  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('answers a huge JSON body of exactly the size asked for, %s', async (_, chunked) => {
    const bytes = 3 * 1024 * 1024 + 7;
    await sim.control('/faults', { body: { kind: 'huge-body', bytes, chunked, endpoint: ORDER, count: 1 } });
    const response = await sim.api('/acme/api/order/%231001');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(chunked ? null : String(bytes));
    const text = await response.text();
    expect(text).toHaveLength(bytes);
    expect(JSON.parse(text)).toEqual({ padding: expect.stringMatching(/^x+$/) as string });
  });
});

describe('Finale simulator controls: call counts', () => {
  it('counts every call by endpoint, collection reads apart from records, rejected ones included', async () => {
    await sim.api('/acme/api/order');
    await sim.api('/acme/api/order/%231001');
    await sim.api('/acme/api/order/%231001', { authorization: null });
    await sim.api('/nobody/api/order/1');
    await sim.api('/acme/api/nonsense');
    await sim.api('/acme/api/return', { method: 'POST', body: {} });
    expect(await (await sim.control('/calls')).json()).toEqual({
      total: 6,
      byEndpoint: {
        'GET /:account/api/order (collection)': 1,
        [ORDER]: 3,
        'GET (unknown route)': 1,
        'POST /:account/api/return': 1,
      },
      byVersion: {},
    });
    expect((await sim.control('/calls', { method: 'DELETE' })).status).toBe(204);
    expect(await (await sim.control('/calls')).json()).toEqual({ total: 0, byEndpoint: {}, byVersion: {} });
  });

  it('reports the most calls of an endpoint pattern in any sliding window', async () => {
    for (let i = 0; i < 3; i++) await sim.api('/acme/api/order/%231001');
    await sim.api('/acme/api/facility');
    await sim.api('/acme/api/return', { method: 'POST', body: {} });
    const busiest = async (query: string) =>
      (await (await sim.control(`/calls/busiest-window?${query}`)).json()) as Record<string, unknown>;
    expect(await busiest('windowMs=60000&endpoint=GET%20*')).toEqual({
      windowMs: 60_000,
      endpoint: 'GET *',
      calls: 4,
    });
    expect(await busiest('windowMs=60000&endpoint=GET%20*%20(collection)')).toMatchObject({ calls: 1 });
    expect(await busiest('windowMs=60000')).toMatchObject({ calls: 5 });
    expect((await sim.control('/calls/busiest-window?windowMs=soon')).status).toBe(400);
  });
});

describe('Finale simulator controls: rate limits', () => {
  const limit = (requests: number, windowMs = 60_000) => ({ requests, windowMs });
  const setLimits = (rateLimits: Record<string, unknown>) =>
    sim.control('/settings', { method: 'PATCH', body: { rateLimits } });

  it('has none unless set, and keeps each one set apart from the others', async () => {
    expect(await (await sim.control('/settings')).json()).toMatchObject({
      rateLimits: { get: null, post: null, collection: null },
    });
    const patched = await setLimits({ post: limit(5) });
    expect(await patched.json()).toMatchObject({
      rateLimits: { get: null, post: limit(5), collection: null },
    });
    for (let i = 0; i < 10; i++) expect((await sim.api('/acme/api/order/%231001')).status).toBe(200);
  });

  it('answers 429 over a limit, with the limit and when it resets, and counts refused calls apart', async () => {
    await setLimits({ get: limit(2), collection: limit(1) });
    expect((await sim.api('/acme/api/order')).status).toBe(200);
    // A collection read spends the collection limit and a GET.
    const collection = await sim.api('/acme/api/order');
    expect(collection.status).toBe(429);
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(200);
    const before = Math.floor(Date.now() / 1000);
    const refused = await sim.api('/acme/api/order/%231001');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2');
    const reset = Number(refused.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 59);
    expect(reset).toBeLessThanOrEqual(before + 61);
    // POSTs have a limit of their own, unset here.
    expect((await sim.api('/acme/api/return', { method: 'POST', body: { returnId: 'R-1' } })).status).toBe(
      200,
    );
    expect(await (await sim.control('/calls/rate-limited')).json()).toEqual({
      total: 2,
      byEndpoint: { 'GET /:account/api/order (collection)': 1, [ORDER]: 1 },
    });
  });

  it('counts a refused call against no limit, and lets calls through once the window has passed', async () => {
    await setLimits({ get: limit(2, 400), collection: limit(1, 60_000) });
    expect((await sim.api('/acme/api/order')).status).toBe(200);
    expect((await sim.api('/acme/api/order')).status).toBe(429);
    // The refused collection read took no GET: one is left.
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(200);
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(200);
  });

  it('counts 429s from rate-limit faults too', async () => {
    await sim.control('/faults', { body: { kind: 'rate-limit', endpoint: ORDER, count: 1 } });
    expect((await sim.api('/acme/api/order/%231001')).status).toBe(429);
    expect(await (await sim.control('/calls/rate-limited')).json()).toEqual({
      total: 1,
      byEndpoint: { [ORDER]: 1 },
    });
  });
});

describe('Finale simulator standalone entry', () => {
  it('serves on the port it is given until stopped', async () => {
    const main = fileURLToPath(new URL('../../../sandbox/finale/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      const calls = await fetch(`${url}/__control/calls`);
      expect(await calls.json()).toEqual({ total: 0, byEndpoint: {}, byVersion: {} });
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  });
});
