// The idempotent create's look-ups against the Finale simulator, through the real budgets: a tenant's
// concurrent new returns share collection reads (Finale allows 300 an hour) instead of spending one each.
import type { Info } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createFinaleSteps,
  type CreatedFinaleReturn,
  type FinaleReturnCreate,
} from '../../activities/finale-steps.ts';
import { createReturnActivitiesV1 } from '../../activities/return-activities-v1.ts';
import { activityCancellation, type TenantClients } from '../../activities/tenant-clients.ts';
import { publishedBudgets, type BudgetRule } from '../../integrations/budget-rules.ts';
import { ApiBudgets } from '../../integrations/rate-limiter.ts';
import { memoryTokenBuckets } from '../../integrations/token-buckets.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { ACCOUNT, FinaleFixture } from '../integrations/finale/finale-fixture.ts';

const RETURN_READS = 'GET /:account/api/return (collection)';
const CREATES = 'POST /:account/api/return';
const DAY = 24 * 3_600_000;
const roomy = { limit: 100_000, windowMs: 1_000 };

let fx: FinaleFixture;
let seeded: ReturnType<FinaleFixture['reseed']>;

beforeAll(async () => {
  fx = await FinaleFixture.start();
});
afterAll(() => fx.stop());
beforeEach(() => {
  seeded = fx.reseed();
});

/** The Finale steps of one worker process for one tenant, drawing from budgets with this collection rule. */
function stepsWith(collection: BudgetRule) {
  const budgets = new ApiBudgets({
    buckets: memoryTokenBuckets(),
    rules: { 'finale-get': roomy, 'finale-post': roomy, 'finale-collection': collection },
  });
  // As in the worker: each call carries the cancellation of the activity it is made in.
  const clients = { finale: fx.client({ budgets, cancellation: activityCancellation }) } as TenantClients;
  // The create step reads no settings: it needs no tenant store.
  return createFinaleSteps({ store: {} as TenantStore, clientsFor: async () => clients });
}

const input = (n: number, overrides: Partial<FinaleReturnCreate> = {}): FinaleReturnCreate => ({
  tenantId: 'acme',
  returnId: `LOOP-${n}`,
  loopReturnId: String(n),
  orderUrl: seeded.order.orderUrl,
  facilityUrl: seeded.main.facilityUrl,
  items: [{ sku: 'SKU-RED-M', quantity: 1, productUrl: seeded.redShirt.productUrl }],
  lookupFirst: true,
  loopCreatedAt: new Date(Date.now() - 60_000).toISOString(),
  ...overrides,
});

/** One attempt of the create activity, as Temporal runs it, with what Temporal tells it (attempt, heartbeat). */
const createAttempt = (
  steps: ReturnType<typeof stepsWith>,
  create: FinaleReturnCreate,
  info: number | Partial<Info> = 1,
): Promise<CreatedFinaleReturn> =>
  new MockActivityEnvironment(typeof info === 'number' ? { attempt: info } : info).run(
    steps.createFinaleReturn,
    create,
  );

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the create step’s look-ups against the simulator, with real budgets', () => {
  it('spends one collection read on N concurrent new returns at Finale’s 300 an hour, and one more on their retries', async () => {
    const N = 50;
    const steps = stepsWith(publishedBudgets['finale-collection']);
    const created = await Promise.all(range(N).map((n) => createAttempt(steps, input(n))));
    expect(created.every((result) => !result.existed)).toBe(true);
    expect(fx.calls(RETURN_READS)).toBe(1);

    // Every answer lost: each retry looks its return up first and finds it.
    const retried = await Promise.all(range(N).map((n) => createAttempt(steps, input(n), 2)));
    expect(retried.map((result) => [result.returnUrl, result.existed])).toEqual(
      created.map((result) => [result.returnUrl, true]),
    );
    expect(fx.calls(RETURN_READS)).toBe(2);
    expect(fx.calls(CREATES)).toBe(N);
    expect(fx.state.listReturns(ACCOUNT)).toHaveLength(N);
  });

  it('answers a burst arriving over time with one read per collection token, ≤ ceil(N / 10) reads', async () => {
    const N = 80;
    // Paced like Finale's hourly budget but faster: a burst of 2, then a read every 1.3 s.
    const steps = stepsWith({ limit: 6, windowMs: 4_000 });
    const arrivals: Promise<unknown>[] = [];
    for (const n of range(N)) {
      arrivals.push(createAttempt(steps, input(n)));
      if (n % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(arrivals);
    expect(fx.state.listReturns(ACCOUNT)).toHaveLength(N);
    expect(fx.calls(RETURN_READS)).toBeLessThanOrEqual(Math.ceil(N / 10));
  });

  it('finds a return made long ago, reading back from the Loop return’s creation in windows Finale accepts', async () => {
    const steps = stepsWith(publishedBudgets['finale-collection']);
    const old = fx.state.seedReturn(ACCOUNT, {
      returnId: 'LOOP-77',
      lastUpdatedDate: new Date(Date.now() - 60 * DAY).toISOString(),
    });
    const loopCreatedAt = new Date(Date.now() - 61 * DAY).toISOString();

    const found = await createAttempt(steps, input(77, { loopCreatedAt }), 2);
    expect(found).toMatchObject({ returnUrl: old.returnUrl, existed: true });
    // Its oldest window, from 61 to 32 days ago, holds it.
    expect(fx.calls(RETURN_READS)).toBe(1);
    // A v1 retry knows no creation time: it looks back 90 days, also in windows of at most 30, oldest first.
    const v1 = await createAttempt(steps, input(77, { loopCreatedAt: undefined, lookupFirst: false }), 2);
    expect(v1).toMatchObject({ returnUrl: old.returnUrl, existed: true });
    expect(fx.calls(RETURN_READS)).toBe(3);
    expect(fx.calls(CREATES)).toBe(0);
  });

  it('carries an old return’s look-up over to the next attempt through heartbeat details', async () => {
    const steps = stepsWith(publishedBudgets['finale-collection']);
    const loopCreatedAt = new Date(Date.now() - 100 * DAY).toISOString();
    const env = new MockActivityEnvironment({ attempt: 1 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    // A look-up 100 days back: three windows of 29 days, then the open-ended one.
    await env.run(steps.createFinaleReturn, input(8, { loopCreatedAt }));
    expect(fx.calls(RETURN_READS)).toBe(4);
    const last = beats.at(-1) as { returnId: string; coveredTo: string };
    expect(last.returnId).toBe('LOOP-8');
    expect(Date.now() - Date.parse(last.coveredTo)).toBeLessThan(29 * DAY);

    // The answer was lost: the retry reads on from where the look-up had got, in one read.
    const retry = await createAttempt(steps, input(8, { loopCreatedAt }), {
      attempt: 2,
      heartbeatDetails: last,
    });
    expect(retry.existed).toBe(true);
    expect(fx.calls(RETURN_READS)).toBe(5);
    // Progress of another return's look-up is not taken for this one's: all four reads again.
    const other = { attempt: 2, heartbeatDetails: { ...last, returnId: 'LOOP-9' } };
    expect(await createAttempt(steps, input(8, { loopCreatedAt }), other)).toMatchObject({ existed: true });
    expect(fx.calls(RETURN_READS)).toBe(5 + 4);
    expect(fx.calls(CREATES)).toBe(1);
  });

  it('keeps the look-up’s progress in the heartbeats the v1 create sends while it waits', async () => {
    const steps = stepsWith(publishedBudgets['finale-collection']);
    const v1 = createReturnActivitiesV1(
      { store: {} as TenantStore, clientsFor: async () => ({}) as never },
      steps,
    );
    // Two reads (40 days back), slow enough for the 3 s between heartbeats to pass during each: the
    // heartbeat interval runs on a fake clock, moved on while a read is in flight.
    fx.state.faults.add({ kind: 'latency', ms: 600, endpoint: RETURN_READS, count: 2 });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const env = new MockActivityEnvironment({ attempt: 2 });
      const beats: unknown[] = [];
      env.on('heartbeat', (details: unknown) => beats.push(details));
      const loopCreatedAt = new Date(Date.now() - 40 * DAY).toISOString();
      const created = env.run(
        (create: FinaleReturnCreate) => v1.createFinaleReturn(create),
        input(10, { loopCreatedAt, lookupFirst: false }),
      );
      await vi.waitUntil(() => fx.calls(RETURN_READS) === 1);
      vi.advanceTimersByTime(3_000);
      // Nothing read yet: the heartbeat says so.
      expect(beats).toEqual([undefined]);
      await vi.waitUntil(() => fx.calls(RETURN_READS) === 2);
      vi.advanceTimersByTime(3_000);
      // The first read's progress (heartbeated as it came), then the wait's heartbeat carrying it.
      expect(beats).toHaveLength(3);
      expect(beats.at(1)).toMatchObject({ returnId: 'LOOP-10' });
      expect(beats.at(2)).toEqual(beats.at(1));
      await created;
      expect(beats.at(-1)).toMatchObject({ returnId: 'LOOP-10' });
      expect(fx.calls(CREATES)).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes a retry that starts while its timed-out attempt still runs here wait for it, then find its return', async () => {
    const steps = stepsWith(publishedBudgets['finale-collection']);
    // The first attempt's create reaches Finale late, after Temporal has timed the attempt out.
    fx.state.faults.add({ kind: 'latency', ms: 1_000, endpoint: CREATES, count: 1 });
    const first = createAttempt(steps, input(5));
    while (fx.calls(CREATES) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const retry = await createAttempt(steps, input(5), 2);
    expect(retry).toMatchObject({ returnUrl: (await first).returnUrl, existed: true });
    expect(fx.state.listReturns(ACCOUNT)).toHaveLength(1);
  });

  it('does not create once Temporal has cancelled the attempt (timed out, its retry looking up already)', async () => {
    const steps = stepsWith(publishedBudgets['finale-collection']);
    fx.state.faults.add({ kind: 'latency', ms: 500, endpoint: RETURN_READS, count: 1 });
    const env = new MockActivityEnvironment({ attempt: 1 });
    const attempt = env.run(steps.createFinaleReturn, input(6)).catch((error: unknown) => error);
    while (fx.calls(RETURN_READS) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    env.cancel('TIMED_OUT');
    expect(await attempt).toBeInstanceOf(CancelledFailure);
    // Another return's look-up is answered by the next read, after the cancelled attempt's look-up: by the
    // time that return is created, the cancelled attempt would have sent its create.
    await createAttempt(steps, input(7));
    expect(fx.state.listReturns(ACCOUNT).map((r) => r.returnId)).toEqual(['LOOP-7']);
  });

  it('fails only the cancelled attempt when the one that sent the shared read is cancelled', async () => {
    const steps = stepsWith(publishedBudgets['finale-collection']);
    fx.state.faults.add({ kind: 'latency', ms: 500, endpoint: RETURN_READS, count: 1 });
    // A worker shutting down cancels its activities one by one: the first look-up's attempt goes first.
    const first = new MockActivityEnvironment({ attempt: 1 });
    const cancelled = first.run(steps.createFinaleReturn, input(8)).catch((error: unknown) => error);
    const others = Promise.all([9, 10].map((n) => createAttempt(steps, input(n))));
    while (fx.calls(RETURN_READS) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    first.cancel('WORKER_SHUTDOWN');
    expect(await cancelled).toBeInstanceOf(CancelledFailure);
    expect((await others).map((result) => result.existed)).toEqual([false, false]);
    expect(fx.calls(RETURN_READS)).toBe(1);
    expect(fx.state.listReturns(ACCOUNT).map((r) => r.returnId)).toEqual(['LOOP-9', 'LOOP-10']);
  });
});
