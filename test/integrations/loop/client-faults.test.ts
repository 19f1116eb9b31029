import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, RetryableApiError } from '../../../integrations/errors.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import {
  clientFor,
  failureOf,
  resetWithShop,
  startTestSimulator,
} from '../../sandbox/loop/support/loop-fixture.ts';

const DETAILS = 'GET /warehouse/return/details';

let sim: LoopSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  await resetWithShop(sim);
  sim.state.seedReturn({ id: 1, items: [{ sku: 'TEE' }] });
});

const retryable = async (promise: Promise<unknown>) => {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(RetryableApiError);
  return error as RetryableApiError;
};

describe('LoopClient under injected faults', () => {
  it.each([500, 502, 503])('maps HTTP %i to a retryable server error', async (status) => {
    sim.state.faults.add({ kind: 'server-error', status, endpoint: DETAILS, count: 1 });
    const error = await retryable(clientFor(sim).getReturn(1));
    expect(error.reason).toBe('server');
    expect(error.status).toBe(status);
    await expect(clientFor(sim).getReturn(1)).resolves.toMatchObject({ id: '1' });
  });

  it('defaults retryAfterMs to 5 s on a 429 without Retry-After (Loop documents none)', async () => {
    sim.state.faults.add({ kind: 'rate-limit', count: 1 });
    const error = await retryable(clientFor(sim).getReturn(1));
    expect(error.reason).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(5_000);
  });

  it('honours a Retry-After in seconds', async () => {
    sim.state.faults.add({ kind: 'rate-limit', count: 1, retryAfter: '12' });
    expect((await retryable(clientFor(sim).getReturn(1))).retryAfterMs).toBe(12_000);
  });

  it('honours a Retry-After HTTP date', async () => {
    sim.state.faults.add({
      kind: 'rate-limit',
      count: 1,
      retryAfter: new Date(Date.now() + 30_000).toUTCString(),
    });
    const { retryAfterMs } = await retryable(clientFor(sim).getReturn(1));
    expect(retryAfterMs).toBeGreaterThan(25_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('reports the simulator’s own per-key limit as rate-limited', async () => {
    sim.state.updateSettings({ rateLimit: { requests: 3 } });
    const client = clientFor(sim);
    for (let i = 0; i < 3; i++) await client.getReturn(1);
    const error = await retryable(client.getReturn(1));
    expect(error.reason).toBe('rate-limited');
    expect(error.status).toBe(429);
  });

  it('times out on latency beyond timeoutMs, and succeeds under it', async () => {
    sim.state.faults.add({ kind: 'latency', ms: 400, endpoint: DETAILS, count: 1 });
    const error = await retryable(clientFor(sim, { timeoutMs: 150 }).getReturn(1));
    expect(error.reason).toBe('network');

    sim.state.faults.add({ kind: 'latency', ms: 50, endpoint: DETAILS, count: 1 });
    await expect(clientFor(sim, { timeoutMs: 1_000 }).getReturn(1)).resolves.toMatchObject({ id: '1' });
  });

  it('maps a dropped connection to a retryable network error', async () => {
    sim.state.faults.add({ kind: 'drop', endpoint: DETAILS, count: 1 });
    const error = await retryable(clientFor(sim).getReturn(1));
    expect(error.reason).toBe('network');
  });

  it('keeps faults to their endpoint', async () => {
    sim.state.faults.add({ kind: 'server-error', endpoint: 'GET /destinations' });
    await expect(clientFor(sim).getReturn(1)).resolves.toMatchObject({ id: '1' });
    await retryable(clientFor(sim).listDestinations());
  });

  it('treats an unexpected redirect as retryable and does not follow it', async () => {
    sim.state.faults.add({ kind: 'body', status: 302, endpoint: DETAILS, body: { location: 'elsewhere' } });
    const error = await retryable(clientFor(sim).getReturn(1));
    expect(error.message).toContain('HTTP 302');
  });

  it('maps a 404 from Loop to NotFoundError', async () => {
    sim.state.faults.add({
      kind: 'body',
      status: 404,
      endpoint: DETAILS,
      body: { code: 'NOT_FOUND', message: 'Not here.' },
    });
    const error = await failureOf(clientFor(sim).getReturn(1));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).apiMessage).toBe('Not here.');
  });
});
