// Issue 10, gap 5: numbers an upstream sends are never trusted unbounded. A 429's reset is capped (an absurd
// one is logged and the API's default wait used, also for the credential's shared budgets), a response body
// over the size cap is aborted while it arrives, and a Loop list that pages for ever is cut off.
import { describe, expect, it } from 'vitest';
import { RetryableApiError } from '../../integrations/errors.ts';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from '../../integrations/finale/rate-limit.ts';
import { defaultUpstreamBounds } from '../../integrations/http.ts';
import { DEFAULT_LOOP_LIST_MAX_PAGES } from '../../integrations/loop/client.ts';
import { DEFAULT_LOOP_RETRY_AFTER_MS } from '../../integrations/loop/retry-after.ts';
import { ApiBudgets } from '../../integrations/rate-limiter.ts';
import { memoryTokenBuckets, type TokenBuckets } from '../../integrations/token-buckets.ts';
import { createLogger } from '../../observability/logger.ts';
import { clientFor } from '../sandbox/loop/support/loop-fixture.ts';
import { useBothSimulators } from '../integrations/both-simulators.ts';

const YEAR_MS = 365 * 86_400_000;
const ORDER = 'GET /:account/api/order/:id';
const LOOP_LIST = 'GET /warehouse/return/list';

const sims = useBothSimulators();

/** Shared budgets whose blocks a test can read back. */
function watchedBudgets() {
  const inner = memoryTokenBuckets();
  const blocks: number[] = [];
  const buckets: TokenBuckets = {
    take: (request) => inner.take(request),
    block: (key, budgets, ms) => {
      blocks.push(ms);
      return inner.block(key, budgets, ms);
    },
  };
  return { budgets: new ApiBudgets({ buckets, maxConcurrent: { finale: 8, loop: 8 } }), blocks };
}

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { level: 'warn' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

async function retryableFailure(promise: Promise<unknown>): Promise<RetryableApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RetryableApiError);
  return error as RetryableApiError;
}

describe('rate-limit waits are capped', () => {
  it.each(['seconds', 'milliseconds'] as const)(
    'treats an X-RateLimit-Reset years away (epoch %s) as bad: logged, and Finale’s default wait used',
    async (resetUnit) => {
      const { budgets, blocks } = watchedBudgets();
      const { logger, lines } = capturedLog();
      sims.finale.state.faults.add({ kind: 'rate-limit', resetInMs: 10 * YEAR_MS, resetUnit, count: 1 });
      const error = await retryableFailure(
        sims.finale.client({ budgets, logger }).getOrder('#1001', ['number']),
      );
      expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS });
      // Every worker sharing the credential's budgets waits the default too, not ten years.
      expect(blocks).toEqual([DEFAULT_RATE_LIMIT_WAIT_MS]);
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: expect.stringContaining('implausible rate-limit reset') as string,
          api: 'finale',
          maxMs: defaultUpstreamBounds.maxRateLimitWaitMs,
        }),
      );
    },
  );

  it.each([
    ['a Retry-After of a billion seconds', '999999999'],
    ['a Retry-After date centuries away', 'Fri, 31 Dec 2999 23:59:59 GMT'],
  ])('treats %s from Loop as bad: logged, and Loop’s default wait used', async (_, retryAfter) => {
    const { budgets, blocks } = watchedBudgets();
    const { logger, lines } = capturedLog();
    sims.loop.state.faults.add({ kind: 'rate-limit', retryAfter, count: 1 });
    const error = await retryableFailure(clientFor(sims.loop, { budgets, logger }).getReturn(1));
    expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: DEFAULT_LOOP_RETRY_AFTER_MS });
    expect(blocks).toEqual([DEFAULT_LOOP_RETRY_AFTER_MS]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('implausible') as string, api: 'loop' }),
    );
  });

  it('still obeys a long but plausible wait in full', async () => {
    const { budgets, blocks } = watchedBudgets();
    sims.loop.state.faults.add({ kind: 'rate-limit', retryAfter: '600', count: 1 });
    const error = await retryableFailure(clientFor(sims.loop, { budgets }).getReturn(1));
    expect(error.retryAfterMs).toBe(600_000);
    expect(blocks).toEqual([600_000]);
  });
});

describe('response bodies are capped', () => {
  const overCap = defaultUpstreamBounds.maxResponseBytes + 1024 * 1024;

  it('aborts a streamed body once it passes the cap, as a retryable error that names the setting', async () => {
    sims.finale.state.faults.add({
      kind: 'huge-body',
      bytes: overCap,
      chunked: true,
      endpoint: ORDER,
      count: 1,
    });
    const error = await retryableFailure(sims.finale.client().getOrder('#1001', ['number']));
    expect(error.reason).toBe('too-large');
    expect(error.message).toContain('API_MAX_RESPONSE_BYTES');
  });

  it('refuses a body whose declared length is over the cap without reading it', async () => {
    const started = Date.now();
    sims.loop.state.faults.add({
      kind: 'huge-body',
      bytes: 2 ** 34,
      endpoint: 'GET /warehouse/return/details',
    });
    const error = await retryableFailure(clientFor(sims.loop, { timeoutMs: 20_000 }).getReturn(1));
    expect(error.reason).toBe('too-large');
    // 16 GiB would take minutes to arrive (and could never be held); the answer comes with the headers.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reads a body under the cap as usual', async () => {
    sims.finale.state.faults.add({ kind: 'huge-body', bytes: 1024 * 1024, endpoint: ORDER, count: 1 });
    await expect(sims.finale.client().getOrder('#1001', ['number'])).rejects.not.toBeInstanceOf(
      RetryableApiError,
    );
  });
});

describe('Loop list pagination is capped', () => {
  it(
    'stops a list whose pages never end after the page cap, as a retryable error',
    { timeout: 30_000 },
    async () => {
      sims.loop.state.faults.add({ kind: 'endless-pages', endpoint: LOOP_LIST });
      const now = Date.now();
      const error = await retryableFailure(
        clientFor(sims.loop).listReturnsUpdated({ from: new Date(now - 3_600_000), to: new Date(now) }),
      );
      expect(error.reason).toBe('too-large');
      expect(error.message).toContain('LOOP_LIST_MAX_PAGES');
      expect(sims.loop.state.calls.count(LOOP_LIST)).toBe(DEFAULT_LOOP_LIST_MAX_PAGES);
    },
  );

  it('reads every page of a list that ends within the cap', async () => {
    for (let id = 2; id <= 5; id++) sims.loop.state.seedReturn({ id, items: [{ sku: 'TEE' }] });
    // Three pages that each lead on, then the real last page: four in all.
    sims.loop.state.faults.add({ kind: 'endless-pages', endpoint: LOOP_LIST, count: 3 });
    const now = Date.now();
    const returns = await clientFor(sims.loop, { maxListPages: 4 }).listReturnsUpdated({
      from: new Date(now - 3_600_000),
      to: new Date(now + 1_000),
    });
    expect(returns.map((r) => r.id).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(sims.loop.state.calls.count(LOOP_LIST)).toBe(4);
  });
});
