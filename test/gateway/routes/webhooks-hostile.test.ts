// Property: whatever arrives at a tenant's webhook URL — random bytes, odd headers and content types, JSON
// of the wrong shape, prototype-pollution keys, signatures of other bodies — the gateway answers 4xx (or 202
// for events it ignores), never crashes, and never starts or signals a workflow.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway } from '../../../gateway/server.ts';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { searchAttributes } from '../../../workflows/search-attributes.ts';
import { newTenant } from '../../store/tenant-fixture.ts';
import { connectToDevServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { buildApp, loopReturns, sign, testEnv } from '../gateway-fixture.ts';

const tenantId = `hostile-${randomBytes(3).toString('hex')}`;
const otherTenantId = `hostile-other-${randomBytes(3).toString('hex')}`;
const secret = newTenant(tenantId).secrets.loopWebhookSecret;
const otherSecret = newTenant(otherTenantId).secrets.loopWebhookSecret;
const BODY_LIMIT = 16 * 1024;
const env = testEnv({ WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) });

const { rendered } = loopReturns().webhook();
const validReturn = { ...rendered, topic: 'return', trigger: 'return.created', shop_id: 1 };

/** Values of every JSON type, for putting where another type belongs. */
const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Each of these makes an otherwise valid return webhook invalid. */
const brokenReturn = fc.oneof(
  anyJson
    .filter((v) => !(typeof v === 'string' && v.trim() !== '') && !Number.isInteger(v))
    .map((id) => ({ ...validReturn, id })),
  anyJson.filter((v) => typeof v !== 'string' || v === '').map((state) => ({ ...validReturn, state })),
  anyJson
    .filter((v) => !Array.isArray(v) && v !== null)
    .map((line_items) => ({ ...validReturn, line_items })),
  fc
    .constantFrom('topic', 'trigger', 'id', 'state')
    .map((field) => Object.fromEntries(Object.entries(validReturn).filter(([key]) => key !== field))),
  // The return's fields smuggled in through keys that pollute prototypes when merged naively.
  fc.constantFrom(
    { ['__proto__']: validReturn },
    { constructor: { prototype: validReturn } },
    { topic: 'return', trigger: 'return.created', ['__proto__']: { id: 7, state: 'open' } },
  ),
);
/** Well-formed events this integration ignores: acknowledged, never acted on. */
const otherEvent = fc
  .record({ topic: fc.string(), trigger: fc.string() })
  .filter(({ topic, trigger }) => !(topic === 'return' && trigger.startsWith('return.')))
  .map((event) => ({ ...validReturn, ...event }));

const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 512 }).map((text) => Buffer.from(text)),
  anyJson.map((value) => Buffer.from(JSON.stringify(value))),
  { weight: 3, arbitrary: brokenReturn.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 2, arbitrary: otherEvent.map((value) => Buffer.from(JSON.stringify(value))) },
  fc.constant(Buffer.from(JSON.stringify({ ...validReturn, padding: 'x'.repeat(BODY_LIMIT) }))),
);

/** How the request is signed: not at all, junk, or an HMAC of this or another body, with this or another key. */
const signatures = fc.oneof(
  // Most requests are correctly signed, so the hostile bodies reach the parser.
  { weight: 6, arbitrary: fc.constant((body: Buffer) => sign(body, secret)) },
  fc.constant(() => undefined),
  fc.string({ maxLength: 200 }).map((junk) => () => junk),
  fc.constant(() => 'A'.repeat(8_192)),
  fc.constant((body: Buffer) => sign(body, otherSecret)),
  fc.string().map((other) => () => sign(other, secret)),
  fc.constant(() => sign(JSON.stringify(validReturn), secret)),
);

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
const contentTypes = fc.oneof(
  { weight: 2, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/octet-stream',
    '',
  ),
  printable(100),
);
const oddHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable(2_000), {
  maxKeys: 4,
});
const paths = fc.oneof(
  { weight: 8, arbitrary: fc.constant(tenantId) },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }).map(encodeURIComponent) },
);

const hostileRequest = fc
  .record({
    path: paths,
    body: bodies,
    signature: signatures,
    contentType: contentTypes,
    headers: oddHeaders,
  })
  .map(({ path, body, signature, contentType, headers }) => {
    const signed = signature(body);
    return {
      url: `/webhooks/loop/${path}`,
      body,
      headers: {
        ...headers,
        'content-type': contentType,
        ...(signed === undefined ? {} : { 'x-loop-signature': signed }),
      },
    };
  });

type Answer = { status: number; body: string };

function expectHarmless(answer: Answer) {
  expect(answer.status).toBeGreaterThanOrEqual(202);
  expect(answer.status).toBeLessThan(500);
  if (answer.status < 400) expect(JSON.parse(answer.body)).toEqual({ outcome: 'ignored' });
}

describe('hostile requests to the webhook endpoint', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let store: TenantStore;
  let fastify: FastifyInstance;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let starts: () => number;

  beforeAll(async () => {
    dev = await connectToDevServer();
    store = await openStore({ secretKey: randomBytes(32) });
    await store.createTenant(newTenant(tenantId));
    await store.createTenant(newTenant(otherTenantId));
    // Spies call through: a start that slipped past the gateway would really happen, and be counted.
    const start = vi.spyOn(dev.client.workflow, 'start');
    const signalWithStart = vi.spyOn(dev.client.workflow, 'signalWithStart');
    starts = () => start.mock.calls.length + signalWithStart.mock.calls.length;
    const temporal = { client: dev.client, taskQueue: uniqueTaskQueue('hostile') };
    fastify = await buildApp({ env, store, temporal });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      env,
      store,
      temporal,
    });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await fastify?.close();
    await gateway?.server.close();
    await store?.close();
    await dev?.close();
  });

  it('answers every injected request with a 4xx or an ignoring 202', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async ({ url, body, headers }) => {
        const response = await fastify.inject({ method: 'POST', url, headers, payload: body });
        expectHarmless({ status: response.statusCode, body: response.body });
      }),
      { numRuns: 300 },
    );
  });

  it('answers every request over real HTTP with a 4xx or an ignoring 202', async () => {
    const { port } = new URL(gateway.url);
    const post = (url: string, body: Buffer, headers: Record<string, string>) =>
      new Promise<Answer>((resolve, reject) => {
        const request = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: url, headers, agent: false },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          },
        );
        // The server may answer (413, 431) and close before the whole body is written.
        request.on('error', reject);
        request.end(body);
      });
    await fc.assert(
      fc.asyncProperty(hostileRequest, async ({ url, body, headers }) => {
        expectHarmless(await post(url, body, headers));
      }),
      { numRuns: 100 },
    );
    const huge = await post(`/webhooks/loop/${tenantId}`, Buffer.from('{}'), {
      'content-type': 'application/json',
      'x-huge': 'h'.repeat(32 * 1024),
    });
    expect(huge.status).toBe(431);
  });

  it('started or signalled no workflow, polluted no prototype and still answers', async () => {
    expect(starts()).toBe(0);
    const query = `${searchAttributes.tenant.name} = "${tenantId}"`;
    expect((await dev.client.workflow.count(query)).count).toBe(0);
    expect(({} as Record<string, unknown>).topic).toBeUndefined();
    expect((await fastify.inject('/healthz')).statusCode).toBe(200);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});
