import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import { fastDelivery, loopFetch, resetWithShop, shop, startTestSimulator } from './support/loop-fixture.ts';
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
beforeEach(async () => {
  await resetWithShop(sim);
  receiver.received.length = 0;
});

const subscribe = (
  trigger: 'return.created' | 'return.updated' | 'return.closed',
  path = '/hook',
  status?: 'inactive',
) => sim.state.seedWebhook({ topic: 'return', trigger, url: `${receiver.url}${path}`, status });
const submit = () => sim.state.submitReturn({ items: [{ sku: 'TEE' }] });
const payloadOf = (raw: Buffer) => JSON.parse(raw.toString('utf8')) as Record<string, unknown>;

describe('webhook delivery', () => {
  it('signs the exact body with the shop secret and delivers return.created to every active match only', async () => {
    subscribe('return.created', '/a');
    subscribe('return.created', '/b');
    subscribe('return.created', '/inactive', 'inactive');
    subscribe('return.updated', '/other-trigger');
    sim.state.seedWebhook({ topic: 'label', trigger: 'return.created', url: `${receiver.url}/other-topic` });
    sim.state.seedShop({ apiKey: 'shop-b', webhookSecret: 'secret-b' });
    sim.state.seedWebhook({
      shopId: 1002,
      topic: 'return',
      trigger: 'return.created',
      url: `${receiver.url}/other-shop`,
    });

    const { return: created, deliveryIds } = submit();
    await sim.state.deliveriesSettled();

    expect(deliveryIds).toHaveLength(2);
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/b']);
    for (const webhook of receiver.received) {
      const expected = createHmac('sha256', shop.webhookSecret).update(webhook.raw).digest('base64');
      expect(webhook.headers['x-loop-signature']).toBe(expected);
      expect(webhook.headers['content-type']).toBe('application/json');
      expect(payloadOf(webhook.raw)).toMatchObject({
        id: created.id,
        topic: 'return',
        trigger: 'return.created',
        shop_id: shop.id,
      });
    }
    expect(receiver.received[0]!.raw.toString()).toContain('\\/');
    expect(sim.state.deliveries().map((d) => [d.attempt, d.outcome])).toEqual([
      [1, 'delivered'],
      [1, 'delivered'],
    ]);
  });

  it('delivers return.updated for a cancel in Loop Admin, and return.updated + return.closed for a close', async () => {
    subscribe('return.updated');
    subscribe('return.closed');
    const first = submit().return.id as number;
    const second = submit().return.id as number;

    sim.state.setReturnState(first, 'cancelled');
    sim.state.setReturnState(second, 'closed');
    await sim.state.deliveriesSettled();

    const seen = receiver.received.map((r) => payloadOf(r.raw)).map((p) => [p.id, p.trigger, p.state]);
    expect(seen).toEqual(
      expect.arrayContaining([
        [first, 'return.updated', 'cancelled'],
        [second, 'return.updated', 'closed'],
        [second, 'return.closed', 'closed'],
      ]),
    );
    expect(seen).toHaveLength(3);
  });

  it('delivers the same webhooks when an API action changes the state', async () => {
    subscribe('return.closed');
    const id = submit().return.id as number;
    await loopFetch(sim, `/api/v1/warehouse/return/${id}/process`, { method: 'POST' });
    await sim.state.deliveriesSettled();
    expect(receiver.received.map((r) => payloadOf(r.raw).trigger)).toEqual(['return.closed']);
  });

  it('retries non-2xx answers with growing, jittered backoff and records every attempt', async () => {
    subscribe('return.created');
    receiver.respondWith({ status: 500 }, { status: 502 }, { status: 200 });

    submit();
    await sim.state.deliveriesSettled();

    const attempts = sim.state.deliveries();
    expect(attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'will-retry'],
      [2, 502, 'will-retry'],
      [3, 200, 'delivered'],
    ]);
    const [first, second] = attempts;
    expect(first!.nextRetryMs).toBeGreaterThanOrEqual(fastDelivery.baseDelayMs / 2);
    expect(first!.nextRetryMs).toBeLessThanOrEqual(fastDelivery.baseDelayMs);
    expect(second!.nextRetryMs).toBeGreaterThanOrEqual(fastDelivery.baseDelayMs);
    expect(second!.nextRetryMs).toBeLessThanOrEqual(fastDelivery.baseDelayMs * 2);
    expect(new Set(receiver.received.map((r) => r.raw.toString())).size).toBe(1);
  });

  it('gives up after the configured number of attempts', async () => {
    subscribe('return.created');
    receiver.respondWith(...Array.from({ length: fastDelivery.maxAttempts }, () => ({ status: 503 })));

    submit();
    await sim.state.deliveriesSettled();

    const attempts = sim.state.deliveries();
    expect(attempts).toHaveLength(fastDelivery.maxAttempts);
    expect(attempts.at(-1)).toMatchObject({
      attempt: fastDelivery.maxAttempts,
      outcome: 'failed',
      nextRetryMs: null,
    });
  });

  it('retries a receiver that does not answer in time', async () => {
    subscribe('return.created');
    receiver.respondWith({ status: 200, delayMs: fastDelivery.timeoutMs + 200 });

    submit();
    await sim.state.deliveriesSettled();

    expect(sim.state.deliveries().map((a) => [a.status, a.outcome])).toEqual([
      [null, 'will-retry'],
      [200, 'delivered'],
    ]);
    expect(sim.state.deliveries()[0]!.error).toMatch(/ETIMEDOUT/);
  });

  it('honours a receiver’s Retry-After instead of its own backoff', async () => {
    sim.state.updateSettings({ delivery: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    subscribe('return.created');
    receiver.respondWith({ status: 503, headers: { 'retry-after': '0' } });

    submit();
    await sim.state.deliveriesSettled();

    expect(sim.state.deliveries().map((a) => [a.status, a.nextRetryMs, a.outcome])).toEqual([
      [503, 0, 'will-retry'],
      [200, null, 'delivered'],
    ]);
  });

  it('fails the delivery when Retry-After exceeds the cap', async () => {
    sim.state.updateSettings({ delivery: { retryAfterCapMs: 1_000 } });
    subscribe('return.created');
    receiver.respondWith({ status: 429, headers: { 'retry-after': '120' } });

    submit();
    await sim.state.deliveriesSettled();

    expect(sim.state.deliveries()).toMatchObject([{ status: 429, outcome: 'failed', nextRetryMs: null }]);
    expect(sim.state.deliveries()[0]!.error).toContain('exceeds');
  });

  it('retries when the receiver is down', async () => {
    const down = await startWebhookReceiver();
    await down.close();
    sim.state.seedWebhook({ topic: 'return', trigger: 'return.created', url: `${down.url}/gone` });

    submit();
    await sim.state.deliveriesSettled();

    expect(sim.state.deliveries().map((a) => [a.status, a.error, a.outcome])).toEqual([
      ...Array.from({ length: fastDelivery.maxAttempts - 1 }, () => [null, 'ECONNREFUSED', 'will-retry']),
      [null, 'ECONNREFUSED', 'failed'],
    ]);
  });

  it('sends IDs as strings in payloads when told to', async () => {
    sim.state.updateSettings({ idMode: 'string' });
    subscribe('return.created');
    submit();
    await sim.state.deliveriesSettled();
    const payload = payloadOf(receiver.received[0]!.raw);
    expect(typeof payload.id).toBe('string');
    expect(payload.shop_id).toBe(String(shop.id));
  });
});

describe('webhook delivery chaos (settings.delivery)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('loses a delivery: recorded as lost, never sent', async () => {
    sim.state.updateSettings({ delivery: { loseRate: 1 } });
    subscribe('return.created');
    const { deliveryIds } = submit();
    await sim.state.deliveriesSettled();

    expect(receiver.received).toEqual([]);
    expect(sim.state.deliveries()).toMatchObject([
      { deliveryId: deliveryIds[0], attempt: 0, status: null, outcome: 'lost', trigger: 'return.created' },
    ]);
  });

  it('makes a delivery twice, the copy recorded as a duplicate of the first', async () => {
    sim.state.updateSettings({ delivery: { duplicateRate: 1 } });
    subscribe('return.created');
    const { deliveryIds } = submit();
    await sim.state.deliveriesSettled();

    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.raw.equals(receiver.received[1]!.raw)).toBe(true);
    const attempts = sim.state.deliveries();
    expect(attempts.map((a) => a.outcome)).toEqual(['delivered', 'delivered']);
    expect(attempts.find((a) => a.deliveryId === deliveryIds[0])?.duplicateOf).toBeUndefined();
    expect(attempts.find((a) => a.deliveryId !== deliveryIds[0])?.duplicateOf).toBe(deliveryIds[0]);
  });

  it('delays each delivery by a random jitter, so a later event can arrive first', async () => {
    sim.state.updateSettings({ delivery: { maxJitterMs: 400 } });
    subscribe('return.created');
    subscribe('return.updated');
    // The created event draws the longest jitter, the update right after it none.
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const id = submit().return.id as number;
    vi.spyOn(Math, 'random').mockReturnValue(0);
    sim.state.setReturnState(id, 'cancelled');
    await sim.state.deliveriesSettled();

    expect(receiver.received.map((r) => payloadOf(r.raw).trigger)).toEqual([
      'return.updated',
      'return.created',
    ]);
  });
});
