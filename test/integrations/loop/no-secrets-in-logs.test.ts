import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../../integrations/errors.ts';
import {
  LoopWebhookPayloadError,
  parseReturnWebhook,
  verifyLoopSignature,
} from '../../../integrations/loop/webhooks.ts';
import { createLogger } from '../../../observability/logger.ts';
import type { FaultSpec } from '../../../sandbox/shared/faults.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import { clientFor, startTestSimulator } from '../../sandbox/loop/support/loop-fixture.ts';

const API_KEY = 'sk_loop_CANARY_KEY_7f3e9a1b2c';
const WEBHOOK_SECRET = 'whsec_CANARY_SECRET_5d8c4e2f';
const UNKNOWN_KEY = 'sk_loop_CANARY_UNKNOWN_KEY_0a9b';

describe('logging', () => {
  let sim: LoopSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
    sim.state.seedShop({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET });
    sim.state.seedShop({
      apiKey: 'sk_loop_CANARY_SCOPELESS_3c1d',
      webhookSecret: WEBHOOK_SECRET,
      scopes: ['returns'],
    });
    sim.state.seedReturn({ id: 1, items: [{ sku: 'TEE' }] });
    sim.state.seedReturn({ id: 2, state: 'review', items: [{ sku: 'TEE' }] });
  });
  afterAll(() => sim.close());

  it('never writes an API key or webhook secret, whatever fails', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'trace' }, destination).child({ tenantId: 'tenant-1' });
    // A client with budgets of its own for each call: a 429 blocks the key's budgets until its reset, and
    // the next call would wait that out (seconds) before meeting its own failure.
    const keyed = () => clientFor(sim, { apiKey: API_KEY, logger, timeoutMs: 200 });
    const client = keyed();
    const failures: Array<() => Promise<unknown>> = [
      () => client.getReturn(1),
      () => clientFor(sim, { apiKey: UNKNOWN_KEY, logger }).getReturn(1),
      () => clientFor(sim, { apiKey: 'sk_loop_CANARY_SCOPELESS_3c1d', logger }).listWebhooks(),
      () => client.getReturn(404),
      () => client.processReturn(2),
      () => client.closeReturn(999),
      () => client.createWebhook({ topic: 'return', trigger: 'return.created', url: 'nope' }),
      () => client.deleteWebhook(12345),
      () => client.listReturnsUpdated({ from: new Date('2026-01-01'), to: new Date('2026-01-02') }),
      () => client.addNote(1, 'x'.repeat(400)),
    ];
    const faults: FaultSpec[] = [
      { kind: 'server-error', status: 503 },
      { kind: 'rate-limit' },
      { kind: 'rate-limit', retryAfter: '3' },
      { kind: 'drop' },
      { kind: 'latency', ms: 400 },
      { kind: 'body', body: { errors: { message: 'Return is closed and therefore cannot be processed.' } } },
      { kind: 'body', body: '<html>proxy error</html>' },
      { kind: 'body', status: 302, body: {} },
      { kind: 'body', body: { returns: [], nextPageUrl: 'http://elsewhere.invalid/list' } },
    ];

    const errors: unknown[] = [];
    const attempt = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        errors.push(error);
        logger.error({ err: error }, 'loop call failed');
      }
    };
    for (const call of failures) await attempt(call);
    for (const fault of faults) {
      sim.state.faults.add({ ...fault, count: 1 });
      await attempt(() => keyed().getReturn(1));
      sim.state.faults.add({ ...fault, count: 1 });
      await attempt(() =>
        keyed().listReturnsUpdated({ from: new Date('2026-01-01'), to: new Date('2026-01-02') }),
      );
    }
    // Each fault met the call it was added for.
    expect(sim.state.faults.list()).toEqual([]);
    expect(verifyLoopSignature('{}', 'bogus', WEBHOOK_SECRET)).toBe(false);
    try {
      parseReturnWebhook({ topic: 'return', secret: WEBHOOK_SECRET });
    } catch (error) {
      expect(error).toBeInstanceOf(LoopWebhookPayloadError);
      logger.warn({ err: error }, 'bad webhook');
    }

    // Every failure class was exercised and logged, so the absence below means something.
    expect(new Set(errors.filter(isApiError).map((e) => e.kind))).toEqual(
      new Set(['retryable', 'authentication', 'not-found', 'invalid']),
    );
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.some((line) => line.includes('request failed before a response'))).toBe(true);
    const log = lines.join('\n');
    for (const secret of [API_KEY, UNKNOWN_KEY, 'sk_loop_CANARY_SCOPELESS_3c1d', WEBHOOK_SECRET, 'CANARY']) {
      expect(log).not.toContain(secret);
    }
  });
});
