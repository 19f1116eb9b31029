import { randomBytes } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../../gateway/server.ts';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { returnWorkflowId } from '../../../workflows/ids.ts';
import { newTenant } from '../../store/tenant-fixture.ts';
import { freePort } from '../../support/free-port.ts';
import { connectToDevServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { buildApp, countRuns, loopReturns, sign, testEnv } from '../gateway-fixture.ts';

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  json: () => Record<string, unknown>;
  text: string;
}

type Send = (tenantId: string, body: string | Buffer, headers?: Record<string, string>) => Promise<Answer>;

// Unique per run of this file, so the shared dev server's other workflows never match.
const acme = `wh-acme-${randomBytes(3).toString('hex')}`;
const globex = `wh-globex-${randomBytes(3).toString('hex')}`;
const secretOf = (tenantId: string) => newTenant(tenantId).secrets.loopWebhookSecret;
const BODY_LIMIT = 64 * 1024;

let dev: Awaited<ReturnType<typeof connectToDevServer>>;
let store: TenantStore;
const taskQueue = uniqueTaskQueue('webhooks');
const returns = loopReturns();
const env = testEnv({ WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) });

beforeAll(async () => {
  dev = await connectToDevServer();
  store = await openStore({ secretKey: randomBytes(32) });
  await store.createTenant(newTenant(acme));
  await store.createTenant(newTenant(globex));
});

afterAll(async () => {
  await store?.close();
  await dev?.close();
});

const describeWorkflow = (tenantId: string, loopReturnId: string) =>
  dev.client.workflow.getHandle(returnWorkflowId(tenantId, loopReturnId)).describe();

function injector(fastify: FastifyInstance): Send {
  return async (tenantId, body, headers = {}) => {
    const response = await fastify.inject({
      method: 'POST',
      url: `/webhooks/loop/${tenantId}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
    return {
      status: response.statusCode,
      headers: response.headers as Record<string, string | undefined>,
      json: () => response.json(),
      text: response.body,
    };
  };
}

function fetcher(baseUrl: string): Send {
  return async (tenantId, body, headers = {}) => {
    const response = await fetch(`${baseUrl}/webhooks/loop/${tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      json: () => JSON.parse(text) as Record<string, unknown>,
      text,
    };
  };
}

const transports: [string, () => Promise<{ send: Send; close: () => Promise<unknown> }>][] = [
  [
    'inject',
    async () => {
      const fastify = await buildApp({ env, store, temporal: { client: dev.client, taskQueue } });
      return { send: injector(fastify), close: () => fastify.close() };
    },
  ],
  [
    'real HTTP',
    async () => {
      const { server, url } = await startGateway({
        host: '127.0.0.1',
        port: 0,
        logger: pino({ level: 'silent' }),
        env,
        store,
        temporal: { client: dev.client, taskQueue },
      });
      return { send: fetcher(url), close: () => server.close() };
    },
  ],
];

describe.each(transports)('POST /webhooks/loop/:tenantId over %s', (_name, open) => {
  let send: Send;
  let close: () => Promise<unknown>;
  const signed = (tenantId: string, body: string, secret = secretOf(tenantId)) =>
    send(tenantId, body, { 'x-loop-signature': sign(body, secret) });

  beforeAll(async () => {
    ({ send, close } = await open());
  });
  afterAll(async () => {
    await close?.();
  });

  it('starts the return workflow for return.created and answers 202', async () => {
    const { body, loopReturnId, rendered } = returns.webhook('return.created');
    const answer = await signed(acme, body);
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({ outcome: 'started' });

    const description = await describeWorkflow(acme, loopReturnId);
    expect(description.type).toBe('returnWorkflow');
    expect(description.taskQueue).toBe(taskQueue);
    expect(description.status.name).toBe('RUNNING');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');

    // The webhook's return reaches the workflow without the customer's details.
    const history = await dev.client.workflow.getHandle(returnWorkflowId(acme, loopReturnId)).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const started = input.map((p) => Buffer.from(p.data ?? []).toString()).join('');
    expect(started).toContain(`"loopReturnId":"${loopReturnId}"`);
    expect(started).not.toContain(String(rendered.customer));
  });

  it('answers 202 to a duplicate delivery without starting a second workflow', async () => {
    const { body, loopReturnId } = returns.webhook('return.created');
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => signed(acme, body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const outcomes = answers.map((a) => a.json().outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'started']);
    const again = await signed(acme, body);
    expect(again.json()).toEqual({ outcome: 'duplicate' });

    expect(await countRuns(dev.client, returnWorkflowId(acme, loopReturnId))).toBe(1);
  });

  it('keeps a return whose return.updated arrives before return.created', async () => {
    const created = returns.webhook('return.created');
    const updated = returns.body(created.rendered, 'return.updated');
    const first = await signed(acme, updated.body);
    expect(first.status).toBe(202);
    // No workflow yet and the return is open: one starts, which reads the return from Loop first.
    expect(first.json()).toEqual({ outcome: 'started' });
    const history = await dev.client.workflow
      .getHandle(returnWorkflowId(acme, created.loopReturnId))
      .fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(input!).toString())).toMatchObject({ origin: 'late-webhook' });

    const late = await signed(acme, created.body);
    expect(late.status).toBe(202);
    expect(late.json()).toEqual({ outcome: 'duplicate' });
    expect((await describeWorkflow(acme, created.loopReturnId)).status.name).toBe('RUNNING');
  });

  it('starts nothing for a return.closed or return.updated of a return that is not open and has no workflow', async () => {
    const created = returns.webhook('return.created');
    for (const [trigger, state] of [
      ['return.closed', 'closed'],
      ['return.updated', 'cancelled'],
    ] as const) {
      const late = returns.body({ ...created.rendered, state }, trigger);
      const answer = await signed(acme, late.body);
      expect(answer.status).toBe(202);
      expect(answer.json()).toEqual({ outcome: 'already-finished' });
    }
    await expect(describeWorkflow(acme, created.loopReturnId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('signals return.closed to the running workflow', async () => {
    const created = returns.webhook('return.created');
    await signed(acme, created.body);
    const closed = await signed(acme, returns.body(created.rendered, 'return.closed').body);
    expect(closed.status).toBe(202);
    expect(closed.json()).toEqual({ outcome: 'signalled' });
  });

  it('acknowledges and ignores topics and triggers it does not act on', async () => {
    const label = returns.webhook('label.created', 'label');
    const processing = returns.webhook('return.processing.failed', 'return.processing');
    for (const { body, loopReturnId } of [label, processing]) {
      const answer = await signed(acme, body);
      expect(answer.status).toBe(202);
      expect(answer.json()).toEqual({ outcome: 'ignored' });
      await expect(describeWorkflow(acme, loopReturnId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });

  it('accepts webhooks for a paused tenant (its workflows wait)', async () => {
    const paused = `wh-paused-${randomBytes(3).toString('hex')}`;
    await store.createTenant(newTenant(paused));
    await store.pauseTenant(paused);
    const { body } = returns.webhook('return.created');
    const answer = await signed(paused, body);
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({ outcome: 'started' });
  });

  it('answers an unknown tenant, and one that cannot exist, as it answers a bad signature', async () => {
    const { body } = returns.webhook('return.created');
    for (const tenantId of ['no-such-tenant', 'Not%20A%20Tenant', `${'x'.repeat(80)}`]) {
      const answer = await signed(tenantId, body, secretOf(acme));
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual({
        error: 'Unauthorized',
        message: "X-Loop-Signature is missing or does not match this tenant's webhook secret.",
      });
    }
  });

  it('answers 401 for a missing, malformed or wrong signature, before reading the body', async () => {
    const { body, loopReturnId } = returns.webhook('return.created');
    const cases: Record<string, string>[] = [
      {},
      { 'x-loop-signature': 'not base64!' },
      { 'x-loop-signature': sign(body, 'some other secret') },
      { 'x-loop-signature': sign(`${body} `, secretOf(acme)) },
    ];
    for (const headers of cases) {
      const answer = await send(acme, body, headers);
      expect(answer.status).toBe(401);
      expect(answer.json()).toMatchObject({ error: 'Unauthorized' });
    }
    const unsignedJunk = await send(acme, '{not json', {});
    expect(unsignedJunk.status).toBe(401);
    await expect(describeWorkflow(acme, loopReturnId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it("refuses tenant B's signature on tenant A's URL", async () => {
    const { body, loopReturnId } = returns.webhook('return.created');
    const crossed = await signed(acme, body, secretOf(globex));
    expect(crossed.status).toBe(401);
    await expect(describeWorkflow(acme, loopReturnId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const own = await signed(globex, body);
    expect(own.status).toBe(202);
    expect((await describeWorkflow(globex, loopReturnId)).status.name).toBe('RUNNING');
  });

  it('answers 400 naming the wrong fields of a signed body, without echoing values', async () => {
    const { rendered } = returns.webhook('return.created');
    const lineItems = rendered.line_items as Record<string, unknown>[];
    const wrong = JSON.stringify({
      ...rendered,
      topic: 'return',
      trigger: 'return.created',
      id: { leaked: 'VALUE-MARKER-1' },
      line_items: [{ ...lineItems[0], line_item_id: ['VALUE-MARKER-2'] }],
    });
    const answer = await signed(acme, wrong);
    expect(answer.status).toBe(400);
    const json = answer.json();
    expect(json).toMatchObject({
      error: 'Bad Request',
      message: 'The body is not a valid Loop return webhook.',
    });
    const issues = json.issues as string[];
    expect(issues.some((i) => i.startsWith('id:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('line_items.0.line_item_id:'))).toBe(true);
    expect(answer.text).not.toContain('VALUE-MARKER');

    for (const [body, message] of [
      ['{"topic": "return", "trigger": "return.created", "id": VALUE-MARKER', 'The body is not valid JSON.'],
      ['["return.created"]', 'The body must be a JSON object.'],
      ['', 'The body is not valid JSON.'],
    ] as const) {
      const malformed = await signed(acme, body);
      expect(malformed.status).toBe(400);
      expect(malformed.json()).toMatchObject({ message });
      expect(malformed.text).not.toContain('VALUE-MARKER');
    }
  });

  it('answers 413 for a body over the limit', async () => {
    const body = JSON.stringify({ topic: 'return', padding: 'x'.repeat(BODY_LIMIT) });
    const answer = await signed(acme, body);
    expect(answer.status).toBe(413);
    expect(answer.json()).toMatchObject({ error: 'Payload Too Large' });
  });

  it('verifies a rotated secret at once, despite the cache', async () => {
    const rotating = `wh-rotating-${randomBytes(3).toString('hex')}`;
    await store.createTenant(newTenant(rotating));
    const first = returns.webhook('return.created');
    expect((await signed(rotating, first.body)).status).toBe(202);
    // The cached secret is older than the refresh floor (1 s) by the time Loop sends with the new one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await store.updateSecrets(rotating, { loopWebhookSecret: 'rotated-webhook-secret' });
    const second = returns.webhook('return.created');
    expect((await signed(rotating, second.body, 'rotated-webhook-secret')).status).toBe(202);
  });
});

describe('POST /webhooks/loop/:tenantId while Temporal is unreachable', () => {
  let unreachable: Connection;
  const transportsDown: [string, () => Promise<{ send: Send; close: () => Promise<unknown> }>][] = [
    [
      'inject',
      async () => {
        const fastify = await buildApp({
          env: testEnv({ GATEWAY_TEMPORAL_TIMEOUT_MS: '500' }),
          store,
          temporal: { client: new Client({ connection: unreachable }), taskQueue },
        });
        return { send: injector(fastify), close: () => fastify.close() };
      },
    ],
    [
      'real HTTP',
      async () => {
        const { server, url } = await startGateway({
          host: '127.0.0.1',
          port: 0,
          logger: pino({ level: 'silent' }),
          env: testEnv({ GATEWAY_TEMPORAL_TIMEOUT_MS: '500' }),
          store,
          temporal: { client: new Client({ connection: unreachable }), taskQueue },
        });
        return { send: fetcher(url), close: () => server.close() };
      },
    ],
  ];

  beforeAll(async () => {
    unreachable = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  });
  // `unreachable` is never closed: closing it under the client's pending retries surfaces as an unhandled
  // error, and it never connected, so nothing is held.

  it.each(transportsDown)('answers 503 with Retry-After over %s, revealing nothing', async (_name, open) => {
    const { send, close } = await open();
    try {
      for (const trigger of ['return.created', 'return.updated']) {
        const { body } = returns.webhook(trigger);
        const answer = await send(acme, body, { 'x-loop-signature': sign(body, secretOf(acme)) });
        expect(answer.status).toBe(503);
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        expect(answer.json()).toEqual({
          error: 'Service Unavailable',
          message: 'The service is temporarily unavailable; try again later.',
        });
      }
    } finally {
      await close();
    }
  });
});
