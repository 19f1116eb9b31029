import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import type { ReturnChange, SeedResult } from '../../../sandbox/loop/state.ts';
import { loopFetch, shop, startTestSimulator } from './support/loop-fixture.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

let sim: LoopSimulator;
let receiver: WebhookReceiver;
beforeAll(async () => {
  sim = await startTestSimulator();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

/** Drives `/__control` over HTTP, as a test in another process would. */
async function control<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text === '' ? undefined : JSON.parse(text)) as T,
  };
}

beforeEach(async () => {
  expect((await control('POST', '/reset')).status).toBe(204);
  receiver.received.length = 0;
  const seeded = await control('POST', '/seed', {
    shops: [{ apiKey: shop.apiKey, webhookSecret: shop.webhookSecret }],
    destinations: [{ name: 'Main Warehouse' }],
    webhooks: [{ topic: 'return', trigger: 'return.created', url: `${receiver.url}/hook` }],
  });
  expect(seeded.status).toBe(200);
});

const details = (id: number | string) => loopFetch(sim, `/api/v1/warehouse/return/details?return_id=${id}`);

describe('Loop simulator controls over HTTP', () => {
  it('seeds returns with PII and one line item per unit, without delivering webhooks', async () => {
    const seeded = await control<SeedResult>('POST', '/seed', {
      returns: [{ id: 77, customer: { email: 'seeded@example.org' }, items: [{ sku: 'A', quantity: 3 }] }],
    });
    expect(seeded.json.returns[0]).toMatchObject({
      id: 77,
      customer: 'seeded@example.org',
      destination_id: 7295,
    });
    expect(seeded.json.returns[0]?.line_items).toHaveLength(3);
    expect((await control('GET', '/deliveries?wait=true')).json.deliveries).toEqual([]);
    expect((await details(77)).status).toBe(200);
  });

  it('submits a return as a customer: stored, and the signed return.created delivered', async () => {
    const submitted = await control<ReturnChange>('POST', '/returns', {
      orderName: '#2001',
      items: [{ sku: 'B' }],
    });
    expect(submitted.status).toBe(201);
    expect(submitted.json.deliveryIds).toHaveLength(1);
    const { deliveries } = (await control('GET', '/deliveries?wait=true')).json;
    expect(deliveries).toMatchObject([
      { attempt: 1, status: 200, outcome: 'delivered', trigger: 'return.created' },
    ]);
    expect(receiver.received).toHaveLength(1);
    expect((await details(submitted.json.return.id as number)).json).toMatchObject({ order_name: '#2001' });
  });

  it('changes a return’s state as Loop Admin would, and shows it', async () => {
    const { json } = await control<ReturnChange>('POST', '/returns', { items: [{}] });
    const id = json.return.id as number;
    const changed = await control<ReturnChange>('POST', `/returns/${id}/state`, { state: 'cancelled' });
    expect(changed.json.return.state).toBe('cancelled');
    const view = await control('GET', `/returns/${id}`);
    expect(view.json).toMatchObject({ state: 'cancelled', notes: [], shopId: 1001 });
    expect((await control('GET', '/returns/1')).status).toBe(404);
    expect((await control('POST', `/returns/${id}/state`, { state: 'gone' })).status).toBe(400);
  });

  it('adds, lists and changes destinations, as a shop does in Loop Admin after onboarding', async () => {
    const added = await control('POST', '/destinations', {
      name: 'EU Warehouse',
      providerLocationId: 61_234_999,
      address: { address1: 'Hafenstrasse 1', city: 'Hamburg', country: 'Germany', countryCode: 'DE' },
    });
    expect(added).toMatchObject({ status: 201, json: { id: 7296, shopId: 1001, name: 'EU Warehouse' } });
    const listed = await loopFetch(sim, '/api/v1/destinations');
    expect(listed.json).toMatchObject({
      destinations: [
        { id: 7295, name: 'Main Warehouse' },
        { id: 7296, name: 'EU Warehouse', address: { city: 'Hamburg', country_code: 'DE', state: null } },
      ],
    });
    const changed = await control('PATCH', '/destinations/7296', { name: 'EU Hub', enabled: false });
    expect(changed.json).toMatchObject({
      id: 7296,
      name: 'EU Hub',
      enabled: false,
      providerLocationId: 61234999,
    });
    expect((await control('GET', '/destinations')).json.destinations).toHaveLength(2);
    expect((await control('PATCH', '/destinations/1', { name: 'X' })).status).toBe(404);
    expect((await control('PATCH', '/destinations/7296', { colour: 'red' })).status).toBe(400);
    expect((await control('POST', '/destinations', { id: 7295, name: 'Again' })).status).toBe(409);
  });

  it('gives each return a destination of its own shop: the first enabled one, or the one named', async () => {
    await control('PATCH', '/destinations/7295', { enabled: false });
    await control('POST', '/destinations', { id: 7300, name: 'Retail Store' });
    const byDefault = await control<ReturnChange>('POST', '/returns', { items: [{}] });
    expect(byDefault.json.return.destination_id).toBe(7300);
    const named = await control<ReturnChange>('POST', '/returns', { destinationId: 7295, items: [{}] });
    expect(named.json.return.destination_id).toBe(7295);
    const none = await control<ReturnChange>('POST', '/returns', { destinationId: null, items: [{}] });
    expect(none.json.return.destination_id).toBeNull();
    const unknown = await control('POST', '/returns', { destinationId: 9999, items: [{}] });
    expect(unknown).toMatchObject({ status: 404, json: { error: 'shop 1001 has no destination 9999' } });
    await control('PATCH', '/settings', { idMode: 'string' });
    expect((await details(named.json.return.id as number)).json).toMatchObject({ destination_id: '7295' });
    expect((await loopFetch(sim, '/api/v1/destinations/7300')).json).toMatchObject({ id: '7300' });
  });

  it('fails the destination list with Loop’s documented 500 while a destination has no address', async () => {
    await control('POST', '/destinations', { name: 'Pop-up', address: null });
    expect(await loopFetch(sim, '/api/v1/destinations')).toMatchObject({
      status: 500,
      json: { message: 'One or more destinations do not have an address.' },
    });
    expect((await loopFetch(sim, '/api/v1/destinations/7295')).status).toBe(200);
  });

  it('toggles ID type and pagination through settings', async () => {
    await control('POST', '/seed', { returns: [{ id: 5, items: [{}] }] });
    const patched = await control('PATCH', '/settings', { idMode: 'string', paginationSupported: false });
    expect(patched.json).toMatchObject({ idMode: 'string', paginationSupported: false });
    expect((await details(5)).json).toMatchObject({ id: '5' });
    expect((await control('PATCH', '/settings', { idMode: 'text' })).status).toBe(400);
    await control('POST', '/reset');
    expect((await control('GET', '/settings')).json).toMatchObject({
      idMode: 'number',
      paginationSupported: true,
    });
  });

  it('counts every call by method and route pattern, faulted and refused ones included', async () => {
    await control('POST', '/faults', { kind: 'server-error', endpoint: '/destinations', count: 1 });
    await loopFetch(sim, '/api/v1/destinations');
    await loopFetch(sim, '/api/2026-07/destinations');
    await loopFetch(sim, '/api/2026-07/destinations', { key: 'wrong' });
    await loopFetch(sim, '/api/2026-07/warehouse/return/55/close', { method: 'POST' });
    await loopFetch(sim, '/api/2026-07/warehouse/return/56/close', { method: 'POST' });
    await loopFetch(sim, '/api/2026-07/warehouse/returns');
    expect((await control('GET', '/calls')).json).toEqual({
      total: 6,
      byEndpoint: {
        'GET /destinations': 3,
        'POST /warehouse/return/:id/close': 2,
        'GET /warehouse/returns': 1,
      },
      byVersion: { v1: 1, '2026-07': 5 },
    });
    expect((await control('DELETE', '/calls')).status).toBe(204);
    expect((await control('GET', '/calls')).json.total).toBe(0);
  });

  it('fires a counted fault that many times, then stops', async () => {
    const added = await control('POST', '/faults', {
      kind: 'server-error',
      status: 502,
      endpoint: 'GET /destinations',
      count: 2,
    });
    expect(added.status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await loopFetch(sim, '/api/v1/destinations')).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect((await control('GET', '/faults')).json.faults).toEqual([]);
  });

  it('answers with an injected 200-with-error body', async () => {
    const body = {
      errors: {
        message: 'Return is closed and therefore cannot be processed.',
        code: 'UNPROCESSABLE_RETURN',
      },
    };
    await control('POST', '/faults', { kind: 'body', endpoint: 'POST /warehouse/return/*', body, count: 1 });
    const response = await loopFetch(sim, '/api/v1/warehouse/return/1/process', { method: 'POST' });
    expect(response).toMatchObject({ status: 200, json: body });
  });

  it('answers with an injected plain-text body, as a proxy in front of Loop might', async () => {
    await control('POST', '/faults', {
      kind: 'body',
      status: 502,
      text: '<html>Bad gateway</html>',
      count: 1,
    });
    const response = await loopFetch(sim, '/api/v1/destinations');
    expect(response).toMatchObject({ status: 502, text: '<html>Bad gateway</html>' });
    expect(response.headers.get('content-type')).toContain('text/plain');
  });

  it('injects 429 bursts, with or without Retry-After', async () => {
    await control('POST', '/faults', { kind: 'rate-limit', count: 2, retryAfter: '9' });
    const first = await loopFetch(sim, '/api/v1/destinations');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('9');
    expect((await loopFetch(sim, '/api/v1/webhooks')).status).toBe(429);
    expect((await loopFetch(sim, '/api/v1/webhooks')).status).toBe(200);
  });

  it('injects a list whose pages never end, each linking to a new page', async () => {
    await control('POST', '/faults', { kind: 'endless-pages', endpoint: 'GET /warehouse/return/list' });
    let url = '/api/v1/warehouse/return/list?from=2026-01-01&to=2026-01-02&paginate=true';
    const seen = new Set<string>();
    for (let page = 0; page < 5; page++) {
      const answer = await loopFetch(sim, url);
      const body = answer.json as { returns: unknown[]; nextPageUrl: string };
      expect(answer.status).toBe(200);
      expect(body.returns).toEqual([]);
      expect(seen.has(body.nextPageUrl)).toBe(false);
      seen.add(body.nextPageUrl);
      const next = new URL(body.nextPageUrl);
      expect(next.origin).toBe(sim.url);
      expect(next.searchParams.get('from')).toBe('2026-01-01');
      url = `${next.pathname}${next.search}`;
    }
  });

  it('injects a huge JSON body, generated as it is sent', async () => {
    const bytes = 2 * 1024 * 1024;
    await control('POST', '/faults', { kind: 'huge-body', bytes, chunked: true, count: 1 });
    const answer = await loopFetch(sim, '/api/v1/destinations');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-length')).toBeNull();
    expect(answer.text).toHaveLength(bytes);
  });

  it('injects latency and dropped connections', async () => {
    await control('POST', '/faults', { kind: 'latency', ms: 150, count: 1 });
    const started = Date.now();
    expect((await loopFetch(sim, '/api/v1/destinations')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    await control('POST', '/faults', { kind: 'drop', count: 1 });
    await expect(loopFetch(sim, '/api/v1/destinations')).rejects.toThrow();
  });

  it('never fires a fault with probability 0; lists, removes and clears faults', async () => {
    const never = await control('POST', '/faults', { kind: 'server-error', probability: 0 });
    for (let i = 0; i < 20; i++) expect((await loopFetch(sim, '/api/v1/destinations')).status).toBe(200);
    await control('POST', '/faults', { kind: 'drop', endpoint: '/nowhere' });
    expect((await control('GET', '/faults')).json.faults).toHaveLength(2);
    expect(never.json.id).toMatch(/^fault_\d+$/);
    expect((await control('DELETE', `/faults/${never.json.id as string}`)).status).toBe(204);
    expect((await control('DELETE', `/faults/${never.json.id as string}`)).status).toBe(404);
    expect((await control('DELETE', '/faults')).status).toBe(204);
    expect((await control('GET', '/faults')).json.faults).toEqual([]);
  });

  it('rejects malformed control requests with 400 and the problems', async () => {
    const response = await control('POST', '/faults', { kind: 'explode' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json.issues)).toContain('kind');
    const unsupported = await control('POST', '/faults', { kind: 'missing-url' });
    expect(unsupported).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/missing-url/) as string },
    });
    expect((await control('POST', '/seed', { returns: [{ items: [] }] })).status).toBe(400);
  });

  it('reset forgets shops, returns, faults, calls and deliveries', async () => {
    await control('POST', '/returns', { items: [{}] });
    await control('POST', '/faults', { kind: 'server-error', endpoint: '/nowhere' });
    await control('POST', '/reset');
    expect((await loopFetch(sim, '/api/v1/destinations')).status).toBe(401);
    expect((await control('GET', '/faults')).json.faults).toEqual([]);
    expect((await control('GET', '/deliveries')).json.deliveries).toEqual([]);
    expect((await control('GET', '/calls')).json.total).toBe(1);
  });
});
