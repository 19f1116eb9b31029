// The per-process side of the shared API budgets: pacing, priority, giving up, and obeying a 429 across
// processes. In-memory buckets stand in for the tenant store's (the store's own suite checks they agree).
// Time is a fake clock, moved on timer by timer: the budgets' waits, refills and give-ups are their own
// timers and `Date.now()`, so each figure below is exact, whatever else the machine is doing.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BudgetName, BudgetRule, RequestPriority } from '../../integrations/budget-rules.ts';
import { ApiBudgets, BudgetWaitExceededError } from '../../integrations/rate-limiter.ts';
import { memoryTokenBuckets, type TokenBuckets } from '../../integrations/token-buckets.ts';
import { metricsRegistry } from '../../observability/metrics.ts';

const key = () => `cred-${randomUUID().slice(0, 8)}`;

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => vi.useRealTimers());

/** Lets `ms` pass on the fake clock, each timer firing as it falls due. */
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** Moves the fake clock on, timer by timer, until `work` settles. */
async function settled<T>(work: Promise<T>): Promise<T> {
  let done = false;
  work.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) await vi.advanceTimersToNextTimerAsync();
  return work;
}

function budgetsWith(rule: BudgetRule, options: { buckets?: TokenBuckets; maxWaitMs?: number } = {}) {
  return new ApiBudgets({
    buckets: options.buckets ?? memoryTokenBuckets(),
    rules: { 'finale-get': rule, 'finale-post': rule, 'finale-collection': rule, loop: rule },
    maxWaitMs: options.maxWaitMs ?? 20_000,
    maxConcurrent: { finale: 100, loop: 100 },
  });
}

/** Starts `count` calls at once and resolves with the time each was let through. */
function callTimes(
  budgets: ApiBudgets,
  credential: string,
  count: number,
  priority: RequestPriority = 'work',
  budget: BudgetName = 'loop',
): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      budgets.run({ api: 'loop', key: credential, budgets: [budget], priority }, async () => Date.now()),
    ),
  );
}

/** The most calls in any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const values = (await metricsRegistry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('ApiBudgets', () => {
  it('paces a burst smoothly: a small burst, then one call per refill, never over the limit in any window', async () => {
    // 20 a second: a burst of 2, then 18 a second.
    const times = await settled(callTimes(budgetsWith({ limit: 20, windowMs: 1_000 }), key(), 40));
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeGreaterThan(1_900);
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(20);
    // Not a reservoir emptied at the start of each window: no 200 ms holds more than the burst and its refill.
    expect(busiestWindow(times, 200)).toBeLessThanOrEqual(2 + Math.ceil(18 * 0.2));
  });

  it('lets waiting work through before waiting background calls', async () => {
    const budgets = budgetsWith({ limit: 10, windowMs: 1_000 });
    const credential = key();
    const order: string[] = [];
    const call = (priority: RequestPriority, name: string) =>
      budgets.run({ api: 'loop', key: credential, budgets: ['loop'], priority }, async () => {
        order.push(name);
      });
    await settled(
      Promise.all([
        ...['b1', 'b2', 'b3', 'b4'].map((name) => call('background', name)),
        ...['w1', 'w2', 'w3'].map((name) => call('work', name)),
      ]),
    );
    expect(order).toEqual(['w1', 'w2', 'w3', 'b1', 'b2', 'b3', 'b4']);
  });

  it('does not delay work behind a flood of background reads', async () => {
    // 10 a second: a burst of 2 and a token every 125 ms, one of them kept for work.
    const budgets = budgetsWith({ limit: 10, windowMs: 1_000 });
    const credential = key();
    const flood = callTimes(budgets, credential, 15, 'background');
    await sleep(300);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const asked = Date.now();
      await settled(
        budgets.run({ api: 'loop', key: credential, budgets: ['loop'], priority: 'work' }, async () => {
          waits.push(Date.now() - asked);
        }),
      );
      await sleep(150);
    }
    // The background calls keep a token in reserve for work; each of them waits its turn meanwhile.
    expect(Math.max(...waits)).toBeLessThan(60);
    const floodTimes = await settled(flood);
    expect(Math.max(...floodTimes) - Math.min(...floodTimes)).toBeGreaterThan(1_000);
  });

  it('lets an urgent read go at the next token, ahead of work queued on the same budget', async () => {
    // 120 a minute: a burst of 4, then a token every 521 ms; work leaves one in the bucket for urgent reads.
    const budgets = budgetsWith({ limit: 120, windowMs: 60_000 });
    const credential = key();
    const orderReads = callTimes(budgets, credential, 30, 'work', 'finale-get');
    await sleep(2_000);
    const asked = Date.now();
    // The shared look-up: a collection read, which draws on the GET budget too (its own queue).
    const lookedUpAt = await settled(
      budgets.run(
        { api: 'finale', key: credential, budgets: ['finale-collection', 'finale-get'], priority: 'urgent' },
        async () => Date.now(),
      ),
    );
    expect(lookedUpAt - asked).toBeLessThan(100);
    const readTimes = await settled(orderReads);
    // The work went on at the refill's pace meanwhile: the reserve cost it a token of burst, not throughput.
    expect(readTimes.filter((t) => t <= asked)).toHaveLength(3 + Math.floor(2_000 / (60_000 / 115)));
  });

  it('gives up after maxWaitMs with a retryable estimate, counted as exhausted', async () => {
    const budgets = budgetsWith({ limit: 2, windowMs: 10_000 }, { maxWaitMs: 200 });
    const credential = key();
    const labels = { budget: 'finale-post', priority: 'work' };
    const before = await metric('loop_finale_api_budget_exhausted_total', labels);
    const run = () =>
      budgets.run(
        { api: 'finale', key: credential, budgets: ['finale-post'], priority: 'work' },
        async () => 'sent',
      );
    await expect(run()).resolves.toBe('sent');
    const started = Date.now();
    const error = await settled(run().catch((e: unknown) => e));
    expect(error).toBeInstanceOf(BudgetWaitExceededError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    // The next token, at a refill of one call per 10 s, less the time already waited for it.
    const { retryAfterMs } = error as BudgetWaitExceededError;
    expect(retryAfterMs).toBeGreaterThan(9_000);
    expect(retryAfterMs).toBeLessThanOrEqual(10_000 - 190);
    expect(await metric('loop_finale_api_budget_exhausted_total', labels)).toBe(before + 1);
  });

  it('takes a collection read’s two tokens at once, holding neither while it waits for the other', async () => {
    const shared = memoryTokenBuckets();
    const rules = {
      // Each: a burst of 2, then one call every 2 s.
      'finale-get': { limit: 4, windowMs: 2_000 },
      'finale-collection': { limit: 4, windowMs: 2_000 },
    };
    const processA = new ApiBudgets({ buckets: shared, rules });
    const processB = new ApiBudgets({ buckets: shared, rules });
    const credential = key();
    const call = (budgets: ApiBudgets, drawn: BudgetName[]) => {
      const asked = Date.now();
      return budgets.run({ api: 'finale', key: credential, budgets: drawn, priority: 'work' }, async () => {
        return Date.now() - asked;
      });
    };
    await settled(Promise.all([call(processA, ['finale-get']), call(processA, ['finale-get'])]));
    // Process A's collection read waits for the GETs to refill, without a collection token in hand ...
    const collectionRead = call(processA, ['finale-collection', 'finale-get']);
    await sleep(100);
    // ... so both collection tokens are still there for process B.
    const other = await settled(
      Promise.all([call(processB, ['finale-collection']), call(processB, ['finale-collection'])]),
    );
    expect(Math.max(...other)).toBeLessThan(100);
    // A's read goes once a GET has refilled and a collection token is back, taking one of each then.
    expect(await settled(collectionRead)).toBeGreaterThanOrEqual(1_800);
  });

  it('lets a cancelled call leave the queue at once, with the reason it was cancelled for', async () => {
    const budgets = budgetsWith({ limit: 2, windowMs: 10_000 });
    const credential = key();
    const labels = { budget: 'loop', priority: 'work' };
    const call = (signal?: AbortSignal) =>
      budgets.run(
        { api: 'loop', key: credential, budgets: ['loop'], priority: 'work', signal },
        async () => 'sent',
      );
    await expect(call()).resolves.toBe('sent');
    const waitingBefore = await metric('loop_finale_api_budget_waiting', labels);
    const exhaustedBefore = await metric('loop_finale_api_budget_exhausted_total', labels);
    const controller = new AbortController();
    const waiting = call(controller.signal).catch((e: unknown) => e);
    await sleep(50);
    expect(await metric('loop_finale_api_budget_waiting', labels)).toBe(waitingBefore + 1);
    const reason = new Error('WORKER_SHUTDOWN');
    const cancelledAt = Date.now();
    controller.abort(reason);
    expect(await waiting).toBe(reason);
    expect(Date.now() - cancelledAt).toBeLessThan(50);
    expect(await metric('loop_finale_api_budget_waiting', labels)).toBe(waitingBefore);
    // Cancelled, not given up: not counted as exhausted.
    expect(await metric('loop_finale_api_budget_exhausted_total', labels)).toBe(exhaustedBefore);
    // Already cancelled: never queues.
    await expect(call(AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('takes a token only once the call has a concurrency slot, so it goes out when it is granted', async () => {
    const inner = memoryTokenBuckets();
    const grants: number[] = [];
    const spy: TokenBuckets = {
      take: async (request) => {
        const result = await inner.take(request);
        if (result.granted) grants.push(Date.now());
        return result;
      },
      block: (...args) => inner.block(...args),
    };
    const budgets = new ApiBudgets({ buckets: spy, maxConcurrent: { finale: 1 } });
    const credential = key();
    const run = (task: () => Promise<number>) =>
      budgets.run({ api: 'finale', key: credential, budgets: ['finale-get'], priority: 'work' }, task);
    const slow = run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return Date.now();
    });
    const next = run(async () => Date.now());
    const slowDone = await settled(slow);
    const sent = await settled(next);
    // The second call's token was taken after the first call freed the slot, and it went out at once.
    expect(grants).toHaveLength(2);
    expect(grants[1]!).toBeGreaterThanOrEqual(slowDone);
    expect(sent - grants[1]!).toBeLessThan(50);
  });

  it("obeys a 429's reset in every process sharing the buckets, for every budget of that API only", async () => {
    const shared = memoryTokenBuckets();
    const processA = budgetsWith({ limit: 100, windowMs: 1_000 }, { buckets: shared });
    const processB = budgetsWith({ limit: 100, windowMs: 1_000 }, { buckets: shared });
    const credential = key();
    await processA.obeyRateLimit('finale', credential, 400);
    const asked = Date.now();
    const loopCall = processB.run(
      { api: 'loop', key: credential, budgets: ['loop'], priority: 'work' },
      async () => Date.now() - asked,
    );
    const finaleCall = processB.run(
      { api: 'finale', key: credential, budgets: ['finale-post'], priority: 'work' },
      async () => Date.now() - asked,
    );
    expect(await settled(loopCall)).toBeLessThan(50);
    expect(await settled(finaleCall)).toBeGreaterThanOrEqual(395);
  });

  it('tells a call that gives up during a block to come back after the block', async () => {
    const budgets = budgetsWith({ limit: 100, windowMs: 1_000 }, { maxWaitMs: 100 });
    const credential = key();
    await budgets.obeyRateLimit('loop', credential, 5_000);
    const error = await settled(
      budgets
        .run({ api: 'loop', key: credential, budgets: ['loop'], priority: 'work' }, async () => {})
        .catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(BudgetWaitExceededError);
    expect((error as BudgetWaitExceededError).retryAfterMs).toBeGreaterThan(4_800);
  });

  it('fails a call when the buckets cannot be read, rather than sending it unbudgeted', async () => {
    const broken: TokenBuckets = {
      take: () => Promise.reject(new Error('Connection terminated unexpectedly')),
      block: async () => {},
    };
    let sent = false;
    const budgets = new ApiBudgets({ buckets: broken });
    await expect(
      budgets.run({ api: 'loop', key: key(), budgets: ['loop'], priority: 'work' }, async () => {
        sent = true;
      }),
    ).rejects.toThrow('Connection terminated unexpectedly');
    expect(sent).toBe(false);
  });
});
