import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import { loopFetch, resetWithShop, shop, startTestSimulator } from './support/loop-fixture.ts';

const GATEWAY_401 = { error: { code: '401', http_code: 'GEN-UNAUTHORIZED', message: 'Unauthorized.' } };

let sim: LoopSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => resetWithShop(sim));

const api = (path: string, init?: Parameters<typeof loopFetch>[2]) =>
  loopFetch(sim, `/api/2026-07${path}`, init);

describe('Loop simulator: versions and auth', () => {
  it.each(['v1', '2026-07', '2026-10'])('serves version %s', async (version) => {
    expect((await loopFetch(sim, `/api/${version}/destinations`)).status).toBe(200);
  });

  it.each(['v2', '2026-13', 'unstable', 'latest'])('refuses version %s with 404', async (version) => {
    expect((await loopFetch(sim, `/api/${version}/destinations`)).status).toBe(404);
  });

  it('answers the gateway 401 for a missing, Bearer-prefixed or unknown key', async () => {
    for (const key of [null, `Bearer ${shop.apiKey}`, 'unknown-key']) {
      const response = await api('/destinations', { key });
      expect(response.status).toBe(401);
      expect(response.json).toEqual(GATEWAY_401);
    }
    const bearer = await api('/destinations', {
      key: null,
      headers: { authorization: `Bearer ${shop.apiKey}` },
    });
    expect(bearer.status).toBe(401);
  });

  it.each([
    ['returns', '/warehouse/return/details?return_id=1'],
    ['developer_tools', '/webhooks'],
    ['destinations:read', '/destinations'],
  ] as const)('answers 401 to a key without the %s scope', async (scope, path) => {
    const scopes = (['returns', 'developer_tools', 'destinations:read'] as const).filter((s) => s !== scope);
    sim.state.seedShop({ apiKey: 'partial-key', webhookSecret: 's', scopes });
    expect((await api(path, { key: 'partial-key' })).status).toBe(401);
    expect((await api(path)).status).toBe(200);
  });

  it('limits each key to 300 requests a minute, and only that key', async () => {
    sim.state.seedShop({ apiKey: 'other-key', webhookSecret: 's' });
    const statuses = [];
    for (let i = 0; i < 300; i++) statuses.push((await api('/destinations')).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await api('/destinations');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect((await api('/destinations', { key: 'other-key' })).status).toBe(200);
  });
});

describe('Loop simulator: return details', () => {
  beforeEach(() => {
    sim.state.seedReturn({ id: 10, orderName: '#1010', items: [{ sku: 'A', quantity: 2 }, { sku: '' }] });
  });

  it('finds a return by return_id or order_name, with one line item per unit and PHP-style JSON', async () => {
    const byId = await api('/warehouse/return/details?return_id=10');
    const byName = await api(`/warehouse/return/details?order_name=${encodeURIComponent('#1010')}`);
    expect(byId.status).toBe(200);
    expect(byName.json).toEqual(byId.json);
    const body = byId.json as { line_items: { sku: string; quantity?: number }[]; customer: string };
    expect(body.line_items.map((item) => item.sku)).toEqual(['A', 'A', '']);
    expect(body.line_items.every((item) => item.quantity === undefined)).toBe(true);
    expect(body.customer).toBe('jane.doe@example.com');
    expect(byId.text).toContain('https:\\/\\/labels.loopreturns.com');
  });

  it('answers a miss with HTTP 200 and {"error":{"message"}}', async () => {
    const miss = await api('/warehouse/return/details?return_id=11');
    expect(miss).toMatchObject({ status: 200, json: { error: { message: 'Return not found.' } } });
  });

  it('wants exactly one lookup parameter (422)', async () => {
    expect((await api('/warehouse/return/details')).status).toBe(422);
    expect((await api('/warehouse/return/details?return_id=10&order_name=x')).status).toBe(422);
  });

  it('never shows another shop’s return', async () => {
    sim.state.seedShop({ apiKey: 'shop-b', webhookSecret: 's' });
    const response = await api('/warehouse/return/details?return_id=10', { key: 'shop-b' });
    expect(response.json).toEqual({ error: { message: 'Return not found.' } });
  });

  it('sends IDs as strings when told to', async () => {
    sim.state.updateSettings({ idMode: 'string' });
    const body = (await api('/warehouse/return/details?return_id=10')).json as Record<string, unknown>;
    expect(body.id).toBe('10');
    expect(body.order_id).toEqual(expect.any(String));
    expect((body.line_items as Record<string, unknown>[])[0]?.line_item_id).toEqual(expect.any(String));
  });
});

describe('Loop simulator: returns list', () => {
  const list = (query: string) => api(`/warehouse/return/list?${query}`);
  const window = 'from=2026-05-01+00:00:00&to=2026-05-02+00:00:00';
  beforeEach(() => {
    for (let i = 1; i <= 5; i++)
      sim.state.seedReturn({ id: i, createdAt: `2026-05-01T00:00:0${i}Z`, items: [{}] });
  });

  it('answers a bare array without paginate', async () => {
    const response = await list(window);
    expect((response.json as { id: number }[]).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('pages forwards and backwards with absolute cursor URLs', async () => {
    const first = (await list(`${window}&paginate=true&pageSize=2`)).json as Page;
    expect(first.returns.map((r) => r.id)).toEqual([1, 2]);
    expect(first.previousPageUrl).toBeNull();
    expect(first.nextPageUrl).toMatch(
      new RegExp(`^${sim.url}/api/2026-07/warehouse/return/list\\?.*cursor=`),
    );

    const second = (await follow(first.nextPageUrl!)).json as Page;
    const third = (await follow(second.nextPageUrl!)).json as Page;
    expect(second.returns.map((r) => r.id)).toEqual([3, 4]);
    expect(third.returns.map((r) => r.id)).toEqual([5]);
    expect(third.nextPageUrl).toBeNull();

    const back = (await follow(third.previousPageUrl!)).json as Page;
    expect(back.returns.map((r) => r.id)).toEqual([3, 4]);
  });

  it('ignores paginate when pagination is switched off', async () => {
    sim.state.updateSettings({ paginationSupported: false });
    expect(Array.isArray((await list(`${window}&paginate=true`)).json)).toBe(true);
  });

  it.each([
    ['a window over 120 days', 'from=2026-01-01+00:00:00&to=2026-05-02+00:00:01', 'to'],
    ['an ISO date', 'from=2026-05-01T00:00:00Z&to=2026-05-02+00:00:00', 'from'],
    ['no to', 'from=2026-05-01+00:00:00', 'to'],
    ['an inverted window', 'from=2026-05-02+00:00:00&to=2026-05-01+00:00:00', 'to'],
    ['a page size over 750', `${window}&paginate=true&pageSize=751`, 'pageSize'],
    ['an unknown filter', `${window}&filter=deleted_at`, 'filter'],
    ['an unknown state', `${window}&state=lost`, 'state'],
    ['a forged cursor', `${window}&paginate=true&cursor=abc`, 'cursor'],
  ])('answers 422 for %s', async (_label, query, field) => {
    const response = await list(query);
    expect(response.status).toBe(422);
    expect((response.json as { errors: Record<string, string[]> }).errors[field]).toHaveLength(1);
  });

  it('accepts exactly 120 days', async () => {
    expect((await list('from=2026-01-01+00:00:00&to=2026-05-01+00:00:00')).status).toBe(200);
  });

  type Page = { returns: { id: number }[]; nextPageUrl: string | null; previousPageUrl: string | null };
  const follow = (url: string) => loopFetch(sim, url.slice(sim.url.length));
});

describe('Loop simulator: return actions', () => {
  const closed = (verb: string) => ({
    errors: { message: `Return is closed and therefore cannot be ${verb}.`, code: 'UNPROCESSABLE_RETURN' },
  });
  const cancelled = (verb: string) => ({ message: `Return is cancelled and therefore cannot be ${verb}.` });
  const expired = (verb: string) => ({
    errors: { message: `Return is expired and therefore cannot be ${verb}.`, code: 'UNPROCESSABLE_RETURN' },
  });

  it.each([
    ['open', 'process', 'true', 'closed'],
    ['open', 'close', 'true', 'closed'],
    ['open', 'flag', 'true', 'review'],
    ['open', 'cancel', 'true', 'cancelled'],
    ['review', 'process', { content: 'Return is flagged and cannot be processed.' }, 'review'],
    ['review', 'close', 'true', 'closed'],
    ['review', 'flag', 'true', 'review'],
    [
      'review',
      'cancel',
      {
        errors: {
          message: 'Return is flagged and cannot be cancelled.',
          code: 'UNPROCESSABLE_FLAGGED_RETURN',
        },
      },
      'review',
    ],
    ['closed', 'process', closed('processed'), 'closed'],
    ['closed', 'close', closed('closed'), 'closed'],
    ['closed', 'flag', closed('flagged'), 'closed'],
    ['closed', 'cancel', closed('cancelled'), 'closed'],
    ['cancelled', 'process', cancelled('processed'), 'cancelled'],
    ['cancelled', 'close', cancelled('closed'), 'cancelled'],
    ['cancelled', 'cancel', cancelled('cancelled'), 'cancelled'],
    ['expired', 'process', expired('processed'), 'expired'],
    ['expired', 'cancel', expired('cancelled'), 'expired'],
  ] as const)('%s + %s → HTTP 200 %j, state %s', async (state, action, body, after) => {
    sim.state.seedReturn({ id: 20, state, items: [{}] });
    const response = await api(`/warehouse/return/20/${action}`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.json).toEqual(body);
    expect(sim.state.getReturn(20).state).toBe(after);
  });

  it('answers an unknown return with HTTP 200 "No return found with this ID."', async () => {
    for (const path of [
      '/warehouse/return/404/close',
      '/warehouse/return/abc/flag',
      '/warehouse/return/404/note',
    ]) {
      const response = await api(path, { method: 'POST', body: { content: 'x' } });
      expect(response).toMatchObject({
        status: 200,
        json: { errors: { message: 'No return found with this ID.' } },
      });
    }
  });

  it('tolerates a JSON content type with an empty body on actions', async () => {
    sim.state.seedReturn({ id: 21, items: [{}] });
    const response = await api('/warehouse/return/21/flag', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.json).toBe('true');
  });

  it('validates notes like Loop: required, under 255 characters', async () => {
    sim.state.seedReturn({ id: 22, items: [{}] });
    const note = (content: unknown) =>
      api('/warehouse/return/22/note', { method: 'POST', body: { content } });
    expect((await api('/warehouse/return/22/notes')).status).toBe(422);
    expect((await note('y'.repeat(254))).json).toBe('true');
    expect((await note('🙂'.repeat(254))).json).toBe('true');
    const tooLong = await note('y'.repeat(255));
    expect(tooLong.status).toBe(422);
    expect(tooLong.json).toEqual({
      message: 'The content must be less than 255 characters.',
      errors: { content: ['The content must be less than 255 characters.'] },
    });
    expect((await note('')).status).toBe(422);
    const notes = (await api('/warehouse/return/22/notes')).json as { notes: { content: string }[] };
    expect(notes.notes).toHaveLength(2);
  });
});

describe('Loop simulator: what the API did to each return', () => {
  it('records every action with whether Loop accepted it and whether the state changed', async () => {
    sim.state.seedReturn({ id: 30, items: [{}] });
    await api('/warehouse/return/30/flag', { method: 'POST' });
    await api('/warehouse/return/30/flag', { method: 'POST' });
    await api('/warehouse/return/30/process', { method: 'POST' });
    expect(sim.state.getReturn(30).actions).toEqual([
      { action: 'flag', accepted: true, changed: true, at: expect.any(Number) as number },
      { action: 'flag', accepted: true, changed: false, at: expect.any(Number) as number },
      { action: 'process', accepted: false, changed: false, at: expect.any(Number) as number },
    ]);
  });

  it('applies an action, then drops the connection (apply-then-drop)', async () => {
    sim.state.seedReturn({ id: 31, items: [{}] });
    sim.state.faults.add({
      kind: 'apply-then-drop',
      endpoint: 'POST /warehouse/return/:id/process',
      count: 1,
    });
    await expect(api('/warehouse/return/31/process', { method: 'POST' })).rejects.toThrow();
    expect(sim.state.getReturn(31)).toMatchObject({
      state: 'closed',
      actions: [{ action: 'process', accepted: true, changed: true }],
    });
    // The client's retry finds it closed.
    expect((await api('/warehouse/return/31/process', { method: 'POST' })).json).toMatchObject({
      errors: { code: 'UNPROCESSABLE_RETURN' },
    });
  });

  it('lists every return with its state, notes and actions (GET /__control/returns)', async () => {
    sim.state.seedReturn({ id: 32, items: [{}] });
    sim.state.seedReturn({ id: 33, state: 'cancelled', items: [{}] });
    await api('/warehouse/return/32/close', { method: 'POST' });
    const listed = (await (await fetch(`${sim.url}/__control/returns`)).json()) as {
      returns: { state: string; actions: unknown[]; return: { id: number } }[];
    };
    expect(listed.returns.map((r) => [r.return.id, r.state, r.actions.length])).toEqual([
      [32, 'closed', 1],
      [33, 'cancelled', 0],
    ]);
  });

  it('counts its 429s, from its limit and from faults', async () => {
    sim.state.updateSettings({ rateLimit: { requests: 1 } });
    sim.state.faults.add({ kind: 'rate-limit', endpoint: 'GET /webhooks', count: 1 });
    await api('/destinations');
    expect((await api('/destinations')).status).toBe(429);
    expect((await api('/webhooks')).status).toBe(429);
    expect(sim.state.calls.rateLimited()).toEqual({
      total: 2,
      byEndpoint: { 'GET /destinations': 1, 'GET /webhooks': 1 },
    });
  });
});

describe('Loop simulator: webhook subscriptions and destinations', () => {
  const hook = { topic: 'return', trigger: 'return.created', url: 'https://example.com/hook' };

  it('creates subscriptions inactive unless status is given', async () => {
    const created = await api('/webhooks', { method: 'POST', body: hook });
    expect(created.json).toEqual({ id: 501, shop_id: shop.id, ...hook, status: 'inactive' });
    const active = await api('/webhooks', { method: 'POST', body: { ...hook, status: 'active' } });
    expect((active.json as { status: string }).status).toBe('active');
    expect(((await api('/webhooks')).json as { webhooks: unknown[] }).webhooks).toHaveLength(2);
  });

  it('validates topic and trigger against Loop’s enums (422)', async () => {
    const response = await api('/webhooks', { method: 'POST', body: { ...hook, topic: 'returns' } });
    expect(response.status).toBe(422);
    expect((response.json as { message: string }).message).toMatch(
      /^Must be one of the following values: return, label/,
    );
    expect((await api('/webhooks', { method: 'POST', body: { topic: 'return' } })).status).toBe(422);
  });

  it('updates with 204 and deletes with 204, 404 {"errors":{"code":"NOT_FOUND"}} when unknown', async () => {
    const { id } = sim.state.seedWebhook({
      topic: 'return',
      trigger: 'return.created',
      url: 'https://example.com/a',
    });
    const put = await api(`/webhooks/${id}`, { method: 'PUT', body: { ...hook, status: 'active' } });
    expect(put).toMatchObject({ status: 204, text: '' });
    expect((await api('/webhooks/999', { method: 'PUT', body: hook })).json).toEqual({
      errors: { code: 'NOT_FOUND' },
    });
    expect((await api(`/webhooks/${id}`, { method: 'DELETE' })).status).toBe(204);
    const again = await api(`/webhooks/${id}`, { method: 'DELETE' });
    expect(again).toMatchObject({ status: 404, json: { errors: { code: 'NOT_FOUND' } } });
  });

  it('lists destinations and answers single ones, 404 and 400 like Loop', async () => {
    const listed = (await api('/destinations')).json as { destinations: { id: number; name: string }[] };
    expect(listed.destinations.map((d) => [d.id, d.name])).toEqual([[7295, 'Main Warehouse']]);
    expect((await api('/destinations/7295')).json).toMatchObject({
      id: 7295,
      enabled: true,
      provider_location_id: 61234567,
    });
    expect((await api('/destinations/1')).json).toEqual({
      code: 'NOT_FOUND',
      message: 'The destination could not be found.',
    });
    expect((await api('/destinations/abc')).status).toBe(400);
  });
});
