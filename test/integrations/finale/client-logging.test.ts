import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../observability/logger.ts';
import { API_KEY, API_SECRET, errorBodies, FinaleFixture } from './finale-fixture.ts';

const WRONG_SECRET = 'fs_WRONG-SECRET-3e9f1b';
const WRONG_KEY = 'fk_WRONG-KEY-7a2c5d';

let fx: FinaleFixture;

beforeAll(async () => {
  fx = await FinaleFixture.start();
});
afterAll(() => fx.stop());

describe('FinaleClient logging', () => {
  it('never writes a key, secret or Authorization value, whatever fails', async () => {
    const seeded = fx.reseed();
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const client = fx.client({ logger, timeoutMs: 150 });
    const newReturn = {
      returnId: 'LOOP-LOG',
      primaryOrderUrl: seeded.order.orderUrl,
      destinationFacilityUrl: seeded.main.facilityUrl,
      items: [{ productUrl: seeded.redShirt.productUrl, quantity: 1 }],
    };
    const order = () => client.getOrder('#1001', ['name', 'number']);
    const withFault =
      (fault: Parameters<typeof fx.state.faults.add>[0], call: () => Promise<unknown>) => () => {
        fx.state.faults.clear();
        fx.state.faults.add({ ...fault, count: 1 });
        return call();
      };
    const errorBody = errorBodies('Simulated Finale failure');
    const calls: (() => Promise<unknown>)[] = [
      () => client.checkCredentials(),
      order,
      () => fx.client({ logger, apiSecret: WRONG_SECRET }).checkCredentials(),
      () => fx.client({ logger, apiKey: WRONG_KEY }).getOrder('#1001', ['name']),
      () => fx.client({ logger, accountName: 'nosuch' }).getOrder('#1001', ['name']),
      () => fx.client({ logger, baseUrl: 'http://127.0.0.1:9' }).checkCredentials(),
      () => client.getReturn('/acme/api/return/1'),
      () => client.getReturn('https://evil.example/acme/api/return/1'),
      () => client.createReturn({ ...newReturn, returnId: 'WAY-TOO-LONG-RETURN-ID-123' }),
      () => client.listReturnsChanged({ since: new Date(0) }),
      withFault({ kind: 'rate-limit' }, order),
      withFault({ kind: 'server-error' }, order),
      withFault({ kind: 'drop' }, order),
      withFault({ kind: 'latency', ms: 400 }, order),
      withFault({ kind: 'body', ...errorBody['plain-string'] }, order),
      withFault({ kind: 'body', ...errorBody['success-false'] }, () => client.resolveProduct('SKU-RED-M')),
      withFault({ kind: 'body', ...errorBody['error-message'] }, () => client.createReturn(newReturn)),
      withFault({ kind: 'body', ...errorBody.errors }, () => client.listFacilities()),
      withFault({ kind: 'missing-url' }, () => client.createReturn(newReturn)),
      withFault({ kind: 'apply-then-drop' }, () => client.createReturn(newReturn)),
    ];
    let failures = 0;
    for (const call of calls) {
      try {
        await call();
      } catch (error) {
        failures++;
        // As an activity would: the error itself, with its cause chain, must be safe to log.
        logger.error({ err: error }, 'finale call failed');
      }
    }
    fx.state.faults.clear();

    const output = lines.join('');
    expect(failures).toBe(calls.length - 2);
    expect(output).toContain('"msg":"api call"');
    expect(output).toContain('request failed before a response');
    const basic = (key: string, secret: string) => Buffer.from(`${key}:${secret}`).toString('base64');
    for (const secret of [
      API_KEY,
      API_SECRET,
      WRONG_KEY,
      WRONG_SECRET,
      basic(API_KEY, API_SECRET),
      basic(API_KEY, WRONG_SECRET),
      basic(WRONG_KEY, API_SECRET),
      'Basic ',
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
