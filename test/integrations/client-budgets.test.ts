// The clients spend the shared budgets: which budgets each kind of call draws from, the priority a caller
// gives travelling to the buckets, a 429 stopping every client of the credential, and a call that cannot get
// a token in time failing as retryable. Against the simulators over real HTTP.
import { describe, expect, it } from 'vitest';
import { RetryableApiError } from '../../integrations/errors.ts';
import { ApiBudgets } from '../../integrations/rate-limiter.ts';
import { memoryTokenBuckets, type TakeRequest, type TokenBuckets } from '../../integrations/token-buckets.ts';
import { metricsRegistry } from '../../observability/metrics.ts';
import { clientFor } from '../sandbox/loop/support/loop-fixture.ts';
import { useBothSimulators } from './both-simulators.ts';
import { API_KEY, API_SECRET } from './finale/finale-fixture.ts';

const sims = useBothSimulators();

const newReturn = (returnId: string) => ({
  returnId,
  primaryOrderUrl: sims.seeded.order.orderUrl,
  destinationFacilityUrl: sims.seeded.main.facilityUrl,
  items: [{ productUrl: sims.seeded.redShirt.productUrl, quantity: 1 }],
});

/** Buckets that remember every take, over buckets `inner` shared with other "processes". */
function recordingBuckets(inner: TokenBuckets = memoryTokenBuckets()) {
  const takes: TakeRequest[] = [];
  const buckets: TokenBuckets = {
    take: (request) => {
      takes.push(request);
      return inner.take(request);
    },
    block: (...args) => inner.block(...args),
  };
  return { takes, budgets: new ApiBudgets({ buckets }) };
}

/** The budgets one take drew from, e.g. `finale-collection+finale-get`. */
const drawn = (take: TakeRequest) => take.draws.map((draw) => draw.budget).join('+');

async function rateLimited(api: string): Promise<number> {
  const values = (await metricsRegistry.getSingleMetric('loop_finale_api_rate_limited_total')?.get())?.values;
  return values?.find((v) => v.labels.api === api)?.value ?? 0;
}

describe('which budgets a call spends', () => {
  it('Finale: a record read a GET, a collection read the hourly collection budget and a GET, a create a POST', async () => {
    const { takes, budgets } = recordingBuckets();
    const client = sims.finale.client({ budgets });
    await client.getOrder('1001', ['number']);
    expect(takes.map(drawn)).toEqual(['finale-get']);
    takes.length = 0;
    await client.resolveProduct('SKU-RED-M');
    // One take for both: a collection token is never held while the call waits for a GET token.
    expect(takes.map(drawn)).toEqual(['finale-collection+finale-get']);
    takes.length = 0;
    await client.createReturn(newReturn('LOOP-BUDGET'));
    expect(takes.map(drawn)).toEqual(['finale-post']);
  });

  it('Loop: every call, one token of the key’s one budget', async () => {
    const { takes, budgets } = recordingBuckets();
    await clientFor(sims.loop, { budgets }).getReturn(1);
    await clientFor(sims.loop, { budgets }).processReturn(1);
    expect(takes.map(drawn)).toEqual(['loop', 'loop']);
    // Keys stay opaque: the bucket key is a hash, never the API key.
    expect(takes.every((t) => /^[0-9a-f]{16}$/.test(t.key))).toBe(true);
  });
});

describe('request priority', () => {
  it('carries the priority from the caller to the buckets, which then keep the reserves above it', async () => {
    const { takes, budgets } = recordingBuckets();
    const client = sims.finale.client({ budgets });
    const created = await client.createReturn(newReturn('LOOP-PRIORITY'));
    takes.length = 0;
    await client.getReturn(created.returnUrl, { priority: 'background' });
    await client.listReturnsChanged({ since: new Date(Date.now() - 60_000) }, { priority: 'background' });
    await clientFor(sims.loop, { budgets }).listReturnsUpdated(
      { from: new Date(Date.now() - 60_000), to: new Date() },
      { priority: 'background' },
    );
    await client.getReturn(created.returnUrl);
    await client.listReturnsChanged({ since: new Date(Date.now() - 60_000) }, { priority: 'urgent' });
    const reserves = (t: TakeRequest) => new Set(t.draws.map((d) => d.reserve));
    const priorityOf = (t: TakeRequest) =>
      t.draws.every((d) => d.reserve === d.shape.workReserve)
        ? 'background'
        : t.draws.every((d) => d.reserve === d.shape.urgentReserve)
          ? 'work'
          : t.draws.every((d) => d.reserve === 0)
            ? 'urgent'
            : `mixed: ${[...reserves(t)].join(', ')}`;
    expect(takes.map((t) => [drawn(t), priorityOf(t)])).toEqual([
      ['finale-get', 'background'],
      ['finale-collection+finale-get', 'background'],
      ['loop', 'background'],
      ['finale-get', 'work'],
      ['finale-collection+finale-get', 'urgent'],
    ]);
  });
});

describe('a 429 that still arrives', () => {
  it('stops every Finale client of the credential, in every process sharing the buckets, until its reset', async () => {
    const shared = memoryTokenBuckets();
    const processA = sims.finale.client({ budgets: new ApiBudgets({ buckets: shared }) });
    const processB = sims.finale.client({ budgets: new ApiBudgets({ buckets: shared }) });
    const before = await rateLimited('finale');
    sims.finale.state.faults.add({
      kind: 'rate-limit',
      resetUnit: 'milliseconds',
      resetInMs: 1_500,
      count: 1,
    });
    await expect(processA.getOrder('1001', ['number'])).rejects.toMatchObject({ reason: 'rate-limited' });
    expect(await rateLimited('finale')).toBe(before + 1);
    const asked = Date.now();
    // A POST-budget call of the other process waits too: the 429 stops the whole credential.
    await processB.createReturn(newReturn('LOOP-AFTER-429'));
    expect(Date.now() - asked).toBeGreaterThan(1_200);
  });

  it('stops every Loop client of the key for its Retry-After, and is counted', async () => {
    const shared = memoryTokenBuckets();
    const before = await rateLimited('loop');
    sims.loop.state.faults.add({ kind: 'rate-limit', retryAfter: '1', count: 1 });
    await expect(
      clientFor(sims.loop, { budgets: new ApiBudgets({ buckets: shared }) }).getReturn(1),
    ).rejects.toMatchObject({ reason: 'rate-limited', retryAfterMs: 1_000 });
    expect(await rateLimited('loop')).toBe(before + 1);
    const asked = Date.now();
    await clientFor(sims.loop, { budgets: new ApiBudgets({ buckets: shared }) }).getReturn(1);
    expect(Date.now() - asked).toBeGreaterThan(800);
  });
});

describe('a budget that runs dry', () => {
  it('fails a call that cannot get a token in time as retryable, saying the budget is shared', async () => {
    const budgets = new ApiBudgets({
      buckets: memoryTokenBuckets(),
      rules: { loop: { limit: 2, windowMs: 60_000 } },
      maxWaitMs: 150,
    });
    const client = clientFor(sims.loop, { budgets });
    await client.getReturn(1);
    const error = await client.getReturn(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error).toMatchObject({ reason: 'rate-limited', api: 'loop', operation: 'getReturn' });
    expect((error as RetryableApiError).message).toMatch(/loop budget, which every worker shares/);
    expect((error as RetryableApiError).retryAfterMs).toBeGreaterThan(50_000);
    // Refused before sending: Loop saw one call.
    expect(sims.loop.state.calls.count('GET /warehouse/return/details')).toBe(1);
  });
});

describe('a cancelled call', () => {
  it('stops waiting for its budget and fails with the reason it was cancelled for, sending nothing', async () => {
    const budgets = new ApiBudgets({
      buckets: memoryTokenBuckets(),
      rules: { loop: { limit: 2, windowMs: 60_000 } },
    });
    const controller = new AbortController();
    const client = clientFor(sims.loop, { budgets, cancellation: () => controller.signal });
    await client.getReturn(1);
    const pending = client.getReturn(1).catch((e: unknown) => e);
    const reason = new Error('WORKER_SHUTDOWN');
    setTimeout(() => controller.abort(reason), 100);
    expect(await pending).toBe(reason);
    expect(sims.loop.state.calls.count('GET /warehouse/return/details')).toBe(1);
  });

  it('aborts its request in flight', async () => {
    sims.loop.state.faults.add({ kind: 'latency', ms: 5_000 });
    const controller = new AbortController();
    const client = clientFor(sims.loop, { cancellation: () => controller.signal });
    const started = Date.now();
    const pending = client.getReturn(1).catch((e: unknown) => e);
    const reason = new Error('WORKER_SHUTDOWN');
    setTimeout(() => controller.abort(reason), 200);
    expect(await pending).toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never fails the other callers of a read they share', async () => {
    // An account this process has not heard from: each missing order then waits for one shared account check.
    sims.finale.state.seedAccount({ name: 'shared-check', apiKey: API_KEY, apiSecret: API_SECRET });
    sims.finale.state.faults.add({
      kind: 'latency',
      ms: 1_000,
      endpoint: 'GET /:account/api/facility (collection)',
    });
    const first = new AbortController();
    const second = new AbortController();
    const lookUp = (controller: AbortController, order: string) =>
      sims.finale
        .client({ accountName: 'shared-check', cancellation: () => controller.signal })
        .getOrder(order, ['name'])
        .catch((e: unknown) => e);
    const started = lookUp(first, '#7001');
    const joined = lookUp(second, '#7002');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reason = new Error('WORKER_SHUTDOWN');
    first.abort(reason);
    expect(await started).toBe(reason);
    // The caller that joined the check started by the cancelled one still gets its answer: no such order.
    expect(await joined).toBeUndefined();
    expect(sims.finale.calls('GET /:account/api/facility (collection)')).toBe(1);
  });
});
