// The token buckets behind the shared API budgets, one suite run against embedded PGlite (alone, and served
// to several connection pools), PostgreSQL (see real-postgres.ts) and the in-memory buckets, so every
// implementation keeps the same rules. Time passes on a fake clock where the buckets' clock is this
// process's: the in-memory buckets read `Date.now()`, and PGlite, running in this process, reads its
// database clock from `Date` too. On PostgreSQL the suite waits in real time.
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BucketShape, BudgetName } from '../../integrations/budget-rules.ts';
import { memoryTokenBuckets, type TokenBuckets } from '../../integrations/token-buckets.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { realPostgres } from './real-postgres.ts';
import { pgliteServerTarget, pgliteTarget, postgresTarget, type StoreTarget } from './store-targets.ts';

const postgres = await realPostgres();

interface BucketsTarget {
  /** Several handles on the same buckets: separate connection pools where the database allows it. */
  handles: TokenBuckets[];
  close(): Promise<void>;
}

/** How `ms` pass for the buckets: a fake `Date` moved on, or a real wait. */
type Clock = 'process' | 'real';

/** Opens `count` stores on one database (a PGlite data directory opens once, so it gets one). */
async function storeBuckets(target: StoreTarget, count: number): Promise<BucketsTarget> {
  const key = randomBytes(32);
  const stores: TenantStore[] = [];
  for (let i = 0; i < count; i++) stores.push(await target.open(key));
  return {
    handles: stores.map((store) => store.apiBudgets),
    async close() {
      await Promise.all(stores.map((store) => store.close()));
      await target.dispose();
    },
  };
}

const shape = (capacity: number, refillPerSecond: number, workReserve = 0): BucketShape => ({
  capacity,
  refillPerSecond,
  workReserve,
  urgentReserve: 0,
});

/** A credential key of its own for each test: buckets persist for the whole suite. */
const freshKey = () => `test-${randomUUID().slice(0, 8)}`;

function bucketSuite(clock: Clock, open: () => Promise<BucketsTarget>) {
  let target: BucketsTarget;
  let buckets: TokenBuckets;
  beforeAll(async () => {
    // Ticking with real time in between, as the suite's loops expect.
    if (clock === 'process') vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    target = await open();
    buckets = target.handles[0]!;
  });
  afterAll(async () => {
    await target?.close();
    vi.useRealTimers();
  });
  const pass = async (ms: number) => {
    if (clock === 'process') vi.setSystemTime(Date.now() + ms);
    else await sleep(ms);
  };

  const take = (key: string, s: BucketShape, reserve = 0, budget: BudgetName = 'finale-get') =>
    buckets.take({ key, draws: [{ budget, shape: s, reserve }] });

  it('grants a fresh bucket its capacity at once, then refuses with the wait for the next token', async () => {
    const key = freshKey();
    const slow = shape(3, 0.5);
    for (let i = 0; i < 3; i++) expect(await take(key, slow)).toEqual({ granted: true, waitMs: 0 });
    const refused = await take(key, slow);
    expect(refused.granted).toBe(false);
    // One token at half a token a second, less what has trickled in since the bucket was made.
    expect(refused.waitMs).toBeGreaterThan(1_500);
    expect(refused.waitMs).toBeLessThanOrEqual(2_000);
  });

  it('refills continuously: waiting the computed time earns the token, and no faster', async () => {
    const key = freshKey();
    const fast = shape(2, 10);
    const started = Date.now();
    let granted = 0;
    let refusals = 0;
    while (Date.now() - started < 1_000) {
      const result = await take(key, fast);
      if (result.granted) granted++;
      else {
        refusals++;
        await pass(result.waitMs);
      }
    }
    const elapsedS = (Date.now() - started) / 1000;
    // Never more than the burst plus the refill, and (a refused take having slept just long enough) close to it.
    expect(granted).toBeLessThanOrEqual(2 + Math.ceil(10 * elapsedS));
    expect(granted).toBeGreaterThanOrEqual(2 + Math.floor(10 * elapsedS * 0.7));
    expect(refusals).toBeLessThanOrEqual(granted + 2);
  });

  it('lets a background take through only above the reserve work keeps', async () => {
    const key = freshKey();
    const s = shape(4, 0.01, 2);
    const background = () => take(key, s, s.workReserve);
    expect((await background()).granted).toBe(true);
    expect((await background()).granted).toBe(true);
    const held = await background();
    expect(held.granted).toBe(false);
    // Two tokens are there, but a background take needs three: one more at 0.01 a second.
    expect(held.waitMs).toBeGreaterThan(90_000);
    expect((await take(key, s)).granted).toBe(true);
    expect((await take(key, s)).granted).toBe(true);
    expect((await take(key, s)).granted).toBe(false);
  });

  it('a block empties every listed budget of the credential, one never used included, until it ends', async () => {
    const key = freshKey();
    const s = shape(2, 1);
    expect((await take(key, s, 0, 'finale-get')).granted).toBe(true);
    await buckets.block(key, ['finale-get', 'finale-post'], 1_000);
    for (const budget of ['finale-get', 'finale-post'] as const) {
      const refused = await take(key, s, 0, budget);
      expect(refused.granted).toBe(false);
      // The rest of the block, then a whole token's refill (one a second).
      expect(refused.waitMs).toBeGreaterThan(1_500);
      expect(refused.waitMs).toBeLessThanOrEqual(2_000);
    }
    expect((await take(key, s, 0, 'finale-collection')).granted).toBe(true);
    expect((await take(freshKey(), s, 0, 'finale-get')).granted).toBe(true);

    await pass(1_000);
    // The block is over, and the bucket refills from empty rather than starting full.
    const after = await take(key, s, 0, 'finale-get');
    expect(after.granted).toBe(false);
    expect(after.waitMs).toBeLessThanOrEqual(1_000);
  });

  it('never shortens a block with a shorter one', async () => {
    const key = freshKey();
    const s = shape(2, 20);
    await buckets.block(key, ['loop'], 1_000);
    await buckets.block(key, ['loop'], 10);
    const refused = await take(key, s, 0, 'loop');
    expect(refused.granted).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(900);
  });

  it('takes a token of every budget drawn from, or of none, and says which one is short', async () => {
    const key = freshKey();
    const roomy = shape(3, 0.01, 1);
    const scarce = shape(1, 0.5);
    const both = (reserve: number) =>
      buckets.take({
        key,
        draws: [
          { budget: 'finale-collection', shape: scarce, reserve: 0 },
          { budget: 'finale-get', shape: roomy, reserve },
        ],
      });
    expect(await both(0)).toEqual({ granted: true, waitMs: 0 });
    const refused = await both(0);
    expect(refused).toMatchObject({ granted: false, short: 'finale-collection' });
    // A whole collection token at half a token a second, less what trickled in since the first take.
    expect(refused.waitMs).toBeGreaterThan(1_500);
    expect(refused.waitMs).toBeLessThanOrEqual(2_000);
    // The refused take left the GETs alone: two of three remain, and work takes them both.
    expect((await take(key, roomy, 0, 'finale-get')).granted).toBe(true);
    expect((await take(key, roomy, 0, 'finale-get')).granted).toBe(true);
    expect((await take(key, roomy, 0, 'finale-get')).granted).toBe(false);

    await pass(2_000);
    // Now the collection token is back but the GETs are empty: still neither is taken.
    const gets = await both(0);
    expect(gets).toMatchObject({ granted: false, short: 'finale-get' });
    expect(gets.waitMs).toBeGreaterThan(90_000);
    expect((await take(key, scarce, 0, 'finale-collection')).granted).toBe(true);
  });

  it('grants exactly the capacity to many takers of two budgets at once, across every handle', async () => {
    const key = freshKey();
    const s = shape(5, 0.001);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        target.handles[i % target.handles.length]!.take({
          key,
          // Half of them name the budgets the other way round: one lock order all the same.
          draws: (i % 2 ? ['finale-get', 'finale-collection'] : ['finale-collection', 'finale-get']).map(
            (budget) => ({ budget: budget as BudgetName, shape: s, reserve: 0 }),
          ),
        }),
      ),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(5);
  });

  it('grants exactly the capacity to many takers at once, across every handle', async () => {
    const key = freshKey();
    const s = shape(5, 0.001);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        target.handles[i % target.handles.length]!.take({
          key,
          draws: [{ budget: 'loop', shape: s, reserve: 0 }],
        }),
      ),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(5);
  });
}

describe('API budget buckets in memory (one process)', () =>
  bucketSuite('process', async () => ({ handles: [memoryTokenBuckets()], close: async () => {} })));

describe('API budget buckets on embedded PGlite', () =>
  bucketSuite('process', async () => storeBuckets(await pgliteTarget(), 1)));

describe('API budget buckets on PGlite shared over its socket by several connection pools', () =>
  bucketSuite('process', async () => storeBuckets(await pgliteServerTarget(), 3)));

describe.skipIf(!postgres.url)(`API budget buckets on PostgreSQL (${postgres.source})`, () =>
  bucketSuite('real', async () => storeBuckets(await postgresTarget(postgres.url!), 3)),
);
