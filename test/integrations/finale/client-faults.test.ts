import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, RetryableApiError } from '../../../integrations/errors.ts';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from '../../../integrations/finale/rate-limit.ts';
import { ACCOUNT, ERROR_BODY_SHAPES, errorBodies, FinaleFixture } from './finale-fixture.ts';

const ORDER = 'GET /:account/api/order/:id';
const PRODUCTS = 'GET /:account/api/product (collection)';
const CREATE = 'POST /:account/api/return';

let fx: FinaleFixture;
let seeded: ReturnType<FinaleFixture['reseed']>;

beforeAll(async () => {
  fx = await FinaleFixture.start();
});
afterAll(() => fx.stop());
beforeEach(() => {
  seeded = fx.reseed();
});

const createLoopReturn = () =>
  fx.client().createReturn({
    returnId: 'LOOP-1',
    primaryOrderUrl: seeded.order.orderUrl,
    destinationFacilityUrl: seeded.main.facilityUrl,
    items: [{ productUrl: seeded.redShirt.productUrl, quantity: 1 }],
  });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error,
  );

describe('FinaleClient on a 429', () => {
  it('waits until an X-RateLimit-Reset given in epoch seconds', async () => {
    fx.state.faults.add({
      kind: 'rate-limit',
      resetUnit: 'seconds',
      resetInMs: 2_000,
      endpoint: ORDER,
      count: 1,
    });
    const error = await failure(fx.client().getOrder('1001', ['name']));
    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error).toMatchObject({ reason: 'rate-limited', status: 429 });
    // Seconds are rounded up by the server, so the wait lands within a second of the two asked for (read as
    // milliseconds, the reset would lie in 1970: no wait at all).
    expect((error as RetryableApiError).retryAfterMs).toBeGreaterThanOrEqual(500);
    expect((error as RetryableApiError).retryAfterMs).toBeLessThanOrEqual(3_000);
    expect(await fx.client().getOrder('1001', ['name'])).toMatchObject({ orderId: '1001' });
  });

  it('waits until an X-RateLimit-Reset given in epoch milliseconds', async () => {
    fx.state.faults.add({
      kind: 'rate-limit',
      resetUnit: 'milliseconds',
      resetInMs: 5_000,
      endpoint: ORDER,
      count: 1,
    });
    const error = await failure(fx.client().getOrder('1001', ['name']));
    expect(error).toBeInstanceOf(RetryableApiError);
    expect((error as RetryableApiError).retryAfterMs).toBeGreaterThanOrEqual(4_000);
    expect((error as RetryableApiError).retryAfterMs).toBeLessThanOrEqual(5_000);
  });

  it('waits the default when the 429 carries no reset time', async () => {
    fx.state.faults.add({ kind: 'rate-limit', omitReset: true, count: 1 });
    const error = await failure(fx.client().resolveProduct('SKU-RED-M'));
    expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS });
  });

  it('surfaces every 429 of a burst without retrying by itself', async () => {
    // Resets 100 ms ahead: each attempt still waits out the previous one's before it goes.
    fx.state.faults.add({
      kind: 'rate-limit',
      resetUnit: 'milliseconds',
      resetInMs: 100,
      endpoint: PRODUCTS,
      count: 3,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(fx.client().resolveProduct('SKU-RED-M')).rejects.toMatchObject({ reason: 'rate-limited' });
    }
    expect(await fx.client().resolveProduct('SKU-RED-M')).toBeDefined();
    expect(fx.calls(PRODUCTS)).toBe(4);
  });
});

describe('FinaleClient on server and network failures', () => {
  it('maps a 5xx to a retryable server error', async () => {
    fx.state.faults.add({ kind: 'server-error', status: 500, count: 1 });
    expect(await failure(fx.client().listFacilities())).toMatchObject({
      kind: 'retryable',
      reason: 'server',
      status: 500,
    });
  });

  it('maps a dropped connection to a retryable network error', async () => {
    fx.state.faults.add({ kind: 'drop', endpoint: ORDER, count: 1 });
    const error = await failure(fx.client().getOrder('1001', ['name']));
    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error).toMatchObject({ reason: 'network' });
  });

  it('waits out a slow answer within its timeout and gives up past it', async () => {
    fx.state.faults.add({ kind: 'latency', ms: 50, endpoint: ORDER, count: 1 });
    expect(await fx.client({ timeoutMs: 2_000 }).getOrder('1001', ['name'])).toMatchObject({
      orderId: '1001',
    });
    fx.state.faults.add({ kind: 'latency', ms: 400, endpoint: ORDER, count: 1 });
    const error = await failure(fx.client({ timeoutMs: 100 }).getOrder('1001', ['name']));
    expect(error).toMatchObject({ reason: 'network', cause: 'ETIMEDOUT' });
  });

  it('maps an unreachable host to a retryable network error', async () => {
    const error = await failure(fx.client({ baseUrl: 'http://127.0.0.1:9' }).checkCredentials());
    expect(error).toMatchObject({ kind: 'retryable', reason: 'network' });
  });
});

describe('FinaleClient on 2xx answers that carry an error', () => {
  it.each(ERROR_BODY_SHAPES)('reads a %s body on a record read as an invalid request', async (shape) => {
    fx.state.faults.add({
      kind: 'body',
      ...errorBodies('Order store is locked')[shape],
      endpoint: ORDER,
      count: 1,
    });
    const error = await failure(fx.client().getOrder('1001', ['name', 'hash-number']));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 200, apiMessage: 'Order store is locked' });
    expect(fx.calls(ORDER)).toBe(1);
  });

  it.each(ERROR_BODY_SHAPES)('reads a %s body on a collection read as an invalid request', async (shape) => {
    fx.state.faults.add({
      kind: 'body',
      ...errorBodies('Filter not allowed')[shape],
      endpoint: PRODUCTS,
      count: 1,
    });
    expect(await failure(fx.client().resolveProduct('SKU-RED-M'))).toMatchObject({
      kind: 'invalid',
      apiMessage: 'Filter not allowed',
    });
  });

  it.each(ERROR_BODY_SHAPES)('reads a %s body on a create as a failed create', async (shape) => {
    fx.state.faults.add({
      kind: 'body',
      ...errorBodies('Product is inactive')[shape],
      endpoint: CREATE,
      count: 1,
    });
    expect(await failure(createLoopReturn())).toMatchObject({
      kind: 'invalid',
      apiMessage: 'Product is inactive',
    });
    expect(fx.state.listReturns(ACCOUNT)).toEqual([]);
  });

  it('treats a create answered without a returnUrl as an error, and the lookup then finds the return', async () => {
    fx.state.faults.add({ kind: 'missing-url', endpoint: CREATE, count: 1 });
    const error = await failure(createLoopReturn());
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/without a returnUrl/);
    expect(await fx.lookUp('LOOP-1')).toMatchObject({ returnId: 'LOOP-1' });
  });
});

describe('FinaleClient on a create that timed out', () => {
  it('raises a retryable error, and the lookup before any retry finds the one return made', async () => {
    fx.state.faults.add({ kind: 'apply-then-drop', endpoint: CREATE, count: 1 });
    await expect(createLoopReturn()).rejects.toMatchObject({ kind: 'retryable', reason: 'network' });
    const found = await fx.lookUp('LOOP-1');
    expect(found).toMatchObject({ returnId: 'LOOP-1', statusId: 'RETURN_CREATED' });
    expect(fx.state.listReturns(ACCOUNT)).toHaveLength(1);
  });
});
