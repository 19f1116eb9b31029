import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, NotFoundError, RetryableApiError } from '../../../integrations/errors.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import {
  clientFor,
  failureOf,
  resetWithShop,
  startTestSimulator,
} from '../../sandbox/loop/support/loop-fixture.ts';

const HOOK_URL = 'https://bridge.example.com/webhooks/loop/tenant-1';

let sim: LoopSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => resetWithShop(sim));

const subscriptions = () => [...sim.state.records.webhooks.values()];

describe('LoopClient webhook subscriptions', () => {
  it('creates subscriptions active by sending status, which Loop would default to inactive', async () => {
    const created = await clientFor(sim).createWebhook({
      topic: 'return',
      trigger: 'return.created',
      url: HOOK_URL,
    });
    expect(created).toEqual({
      id: expect.any(String) as string,
      topic: 'return',
      trigger: 'return.created',
      url: HOOK_URL,
      status: 'active',
    });
    expect(subscriptions().map((w) => w.status)).toEqual(['active']);
  });

  it('creates an inactive subscription when asked to', async () => {
    const created = await clientFor(sim).createWebhook({
      topic: 'return',
      trigger: 'return.updated',
      url: HOOK_URL,
      status: 'inactive',
    });
    expect(created.status).toBe('inactive');
  });

  it.each(['number', 'string'] as const)('lists subscriptions with %s IDs as strings', async (idMode) => {
    sim.state.updateSettings({ idMode });
    sim.state.seedWebhook({ topic: 'return', trigger: 'return.created', url: HOOK_URL });
    const [webhook] = await clientFor(sim).listWebhooks();
    expect(webhook).toEqual({
      id: '501',
      topic: 'return',
      trigger: 'return.created',
      url: HOOK_URL,
      status: 'active',
    });
  });

  it('updates a subscription (204) and says NotFoundError for an unknown one', async () => {
    const { id } = sim.state.seedWebhook({
      topic: 'return',
      trigger: 'return.created',
      url: HOOK_URL,
      status: 'inactive',
    });
    await clientFor(sim).updateWebhook(id, {
      topic: 'return',
      trigger: 'return.closed',
      url: `${HOOK_URL}/v2`,
    });
    expect(subscriptions()).toMatchObject([
      { trigger: 'return.closed', url: `${HOOK_URL}/v2`, status: 'active' },
    ]);

    await expect(
      clientFor(sim).updateWebhook('9999', { topic: 'return', trigger: 'return.closed', url: HOOK_URL }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes a subscription (204) and says NotFoundError the second time', async () => {
    const { id } = sim.state.seedWebhook({ topic: 'return', trigger: 'return.created', url: HOOK_URL });
    await clientFor(sim).deleteWebhook(String(id));
    expect(subscriptions()).toEqual([]);
    const error = await failureOf(clientFor(sim).deleteWebhook(id));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
    expect((error as NotFoundError).apiMessage).toBe('NOT_FOUND');
  });

  it('maps Loop’s 422 on an invalid subscription to InvalidRequestError with its message', async () => {
    const error = await failureOf(
      clientFor(sim).createWebhook({ topic: 'return', trigger: 'return.created', url: 'not a url' }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe('The url must be a valid URL.');
  });

  it('treats FAILED_TO_GET_WEBHOOKS under HTTP 200 as retryable', async () => {
    sim.state.faults.add({
      kind: 'body',
      endpoint: 'GET /webhooks',
      body: { errors: { message: 'Failed to get webhooks.', code: 'FAILED_TO_GET_WEBHOOKS' } },
    });
    const error = await failureOf(clientFor(sim).listWebhooks());
    expect(error).toBeInstanceOf(RetryableApiError);
    expect((error as RetryableApiError).apiMessage).toBe('Failed to get webhooks.');
  });
});

describe('LoopClient.ensureWebhooks', () => {
  const triggers = ['return.created', 'return.updated'] as const;

  it('creates what is missing, then nothing on a second run', async () => {
    const first = await clientFor(sim).ensureWebhooks(HOOK_URL, triggers);
    expect(first.created.map((w) => [w.trigger, w.status])).toEqual([
      ['return.created', 'active'],
      ['return.updated', 'active'],
    ]);

    sim.state.calls.reset();
    const second = await clientFor(sim).ensureWebhooks(HOOK_URL, triggers);
    expect(second.created).toEqual([]);
    expect(second.unchanged.map((w) => w.trigger)).toEqual(['return.created', 'return.updated']);
    expect(sim.state.calls.snapshot().byEndpoint).toEqual({ 'GET /webhooks': 1 });
    expect(subscriptions()).toHaveLength(2);
  });

  it('re-activates an inactive match instead of adding a duplicate', async () => {
    sim.state.seedWebhook({ topic: 'return', trigger: 'return.created', url: HOOK_URL, status: 'inactive' });
    sim.state.seedWebhook({
      topic: 'return',
      trigger: 'return.updated',
      url: 'https://elsewhere.example.com/hook',
    });

    const result = await clientFor(sim).ensureWebhooks(HOOK_URL, triggers);

    expect(result.reactivated.map((w) => [w.trigger, w.status])).toEqual([['return.created', 'active']]);
    expect(result.created.map((w) => [w.trigger, w.url])).toEqual([['return.updated', HOOK_URL]]);
    expect(
      subscriptions()
        .filter((w) => w.url === HOOK_URL)
        .map((w) => [w.trigger, w.status]),
    ).toEqual([
      ['return.created', 'active'],
      ['return.updated', 'active'],
    ]);
  });
});

describe('LoopClient.listDestinations', () => {
  it.each(['number', 'string'] as const)('maps destinations with %s IDs', async (idMode) => {
    sim.state.updateSettings({ idMode });
    sim.state.seedDestination({ name: 'Donations', type: 'donate', enabled: false });
    await expect(clientFor(sim).listDestinations()).resolves.toEqual([
      {
        id: '7295',
        name: 'Main Warehouse',
        type: 'warehouse',
        enabled: true,
        providerLocationId: '61234567',
      },
      { id: '7296', name: 'Donations', type: 'donate', enabled: false, providerLocationId: null },
    ]);
  });
});
