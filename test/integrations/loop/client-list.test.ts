import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, RetryableApiError } from '../../../integrations/errors.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import {
  clientFor,
  failureOf,
  resetWithShop,
  shop,
  startTestSimulator,
} from '../../sandbox/loop/support/loop-fixture.ts';

const DAY = 86_400_000;
const LIST = 'GET /warehouse/return/list';

let sim: LoopSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => resetWithShop(sim));

const seedUpdatedAt = (id: number, updatedAt: Date | string, state?: 'open' | 'closed') =>
  sim.state.seedReturn({
    id,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt,
    state,
    items: [{ sku: `SKU-${id}` }],
  });

const listCalls = () => sim.state.calls.snapshot().byEndpoint[LIST] ?? 0;

describe('LoopClient.listReturnsUpdated', () => {
  it('follows nextPageUrl across several pages of 750', async () => {
    const from = new Date('2026-05-01T00:00:00Z');
    for (let i = 0; i < 1_600; i++) seedUpdatedAt(1_000 + i, new Date(from.getTime() + i * 1_000));

    const returns = await clientFor(sim).listReturnsUpdated({ from, to: new Date(from.getTime() + DAY) });

    expect(returns).toHaveLength(1_600);
    expect(new Set(returns.map((r) => r.id)).size).toBe(1_600);
    expect(returns[0]?.id).toBe('1000');
    expect(listCalls()).toBe(3);
  });

  it('accepts a bare JSON array when Loop does not paginate', async () => {
    sim.state.updateSettings({ paginationSupported: false });
    for (let i = 0; i < 5; i++) seedUpdatedAt(2_000 + i, `2026-05-01T00:00:0${i}Z`);

    const returns = await clientFor(sim).listReturnsUpdated({
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-02T00:00:00Z'),
    });

    expect(returns.map((r) => r.id)).toEqual(['2000', '2001', '2002', '2003', '2004']);
    expect(listCalls()).toBe(1);
  });

  it('filters on updated_at, not created_at', async () => {
    seedUpdatedAt(1, '2026-05-01T12:00:00Z');
    sim.state.seedReturn({
      id: 2,
      createdAt: '2026-05-01T12:00:00Z',
      updatedAt: '2026-07-01T00:00:00Z',
      items: [{}],
    });

    const returns = await clientFor(sim).listReturnsUpdated({
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-02T00:00:00Z'),
    });

    expect(returns.map((r) => r.id)).toEqual(['1']);
  });

  it('sends whole-second UTC bounds in Loop format, widening rather than narrowing the window', async () => {
    seedUpdatedAt(1, '2026-05-01T09:00:00Z');
    seedUpdatedAt(2, '2026-05-01T10:00:00Z');
    seedUpdatedAt(3, '2026-05-01T10:00:01Z');

    // The simulator refuses any other date format with a 422, like Loop's validator.
    const returns = await clientFor(sim).listReturnsUpdated({
      from: new Date('2026-05-01T09:00:00.700Z'),
      to: new Date('2026-05-01T10:00:00.400Z'),
    });

    expect(returns.map((r) => r.id)).toEqual(['1', '2', '3']);
  });

  it('splits windows over 120 days (which Loop rejects) into 100-day windows', async () => {
    const from = new Date('2026-01-01T00:00:00Z');
    seedUpdatedAt(1, new Date(from.getTime() + 10 * DAY));
    seedUpdatedAt(2, new Date(from.getTime() + 100 * DAY)); // on a shared boundary: listed once
    seedUpdatedAt(3, new Date(from.getTime() + 150 * DAY));
    seedUpdatedAt(4, new Date(from.getTime() + 249 * DAY));

    const returns = await clientFor(sim).listReturnsUpdated({
      from,
      to: new Date(from.getTime() + 250 * DAY),
    });

    expect(returns.map((r) => r.id).sort()).toEqual(['1', '2', '3', '4']);
    expect(listCalls()).toBe(3);
  });

  it('passes the state filter through', async () => {
    seedUpdatedAt(1, '2026-05-01T12:00:00Z', 'open');
    seedUpdatedAt(2, '2026-05-01T12:00:00Z', 'closed');

    const returns = await clientFor(sim).listReturnsUpdated({
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-02T00:00:00Z'),
      state: 'closed',
    });

    expect(returns.map((r) => [r.id, r.state])).toEqual([['2', 'closed']]);
  });

  it('strips customer PII from listed returns', async () => {
    sim.state.seedReturn({
      updatedAt: '2026-05-01T12:00:00Z',
      customer: { email: 'listed-customer@example.org', lastName: 'Listedsurname' },
      items: [{}],
    });
    const returns = await clientFor(sim).listReturnsUpdated({
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-02T00:00:00Z'),
    });
    expect(returns).toHaveLength(1);
    expect(JSON.stringify(returns)).not.toMatch(/listed-customer|Listedsurname/);
  });

  it('rejects an inverted window before calling Loop', async () => {
    await expect(
      clientFor(sim).listReturnsUpdated({ from: new Date('2026-05-02'), to: new Date('2026-05-01') }),
    ).rejects.toBeInstanceOf(RangeError);
    expect(sim.state.calls.snapshot().total).toBe(0);
  });

  it('stops with a retryable error when nextPageUrl repeats a page', async () => {
    const loopingUrl = `${sim.apiBaseUrl}/2026-07/warehouse/return/list?cursor=same`;
    sim.state.faults.add({
      kind: 'body',
      endpoint: LIST,
      count: 3,
      body: { returns: [], nextPageUrl: loopingUrl },
    });

    const error = await failureOf(
      clientFor(sim).listReturnsUpdated({ from: new Date('2026-05-01'), to: new Date('2026-05-02') }),
    );

    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error.message).toContain('nextPageUrl repeats a page');
    expect(listCalls()).toBe(2);
  });

  it('never follows a nextPageUrl to another host (the key would go with it)', async () => {
    sim.state.faults.add({
      kind: 'body',
      endpoint: LIST,
      count: 1,
      body: { returns: [], nextPageUrl: 'http://collector.invalid/steal?cursor=x' },
    });

    const error = await failureOf(
      clientFor(sim).listReturnsUpdated({ from: new Date('2026-05-01'), to: new Date('2026-05-02') }),
    );

    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error.message).toContain('another host');
    expect(error.message).not.toContain(shop.apiKey);
  });

  it('maps a Laravel 422 onto InvalidRequestError with Loop’s message', async () => {
    sim.state.faults.add({
      kind: 'body',
      status: 422,
      endpoint: LIST,
      body: {
        message: 'The from does not match the format Y-m-d H:i:s.',
        errors: { from: ['The from does not match the format Y-m-d H:i:s.'] },
      },
    });
    const error = await failureOf(
      clientFor(sim).listReturnsUpdated({ from: new Date('2026-05-01'), to: new Date('2026-05-02') }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe('The from does not match the format Y-m-d H:i:s.');
  });
});
