import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../../gateway/server.ts';
import { demoFinaleAccount, demoLoopShop, demoTenantSettings } from '../../../sandbox/demo-world.ts';
import { startTenantSweeper } from '../../../temporal/workflow-starts.ts';
import { returnWorkflowId, sweeperWorkflowId } from '../../../workflows/ids.ts';
import type { ReturnState } from '../../../workflows/messages.ts';
import { freePort } from '../../support/free-port.ts';
import { startPipeline, type Pipeline } from '../../support/pipeline.ts';
import { connectToDevServer } from '../../support/temporal.ts';
import { ADMIN_TOKEN, buildApp, testEnv } from '../gateway-fixture.ts';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
// Tenant IDs unique to this run: the dev server is shared by test files running in parallel, and the Loop
// simulator numbers returns the same way in each, so workflow IDs must differ by tenant.
const suffix = randomBytes(3).toString('hex');
const TENANT = `admin-${suffix}`;
/** A second tenant on the same simulators whose facility does not exist: its returns park. */
const BROKEN = `admin-broken-${suffix}`;
/** A tenant only paused and resumed here, so the main tenant's returns keep moving. */
const PAUSABLE = `admin-pausable-${suffix}`;

const demoSecrets = {
  finaleApiKey: demoFinaleAccount.apiKey,
  finaleApiSecret: demoFinaleAccount.apiSecret,
  loopApiKey: demoLoopShop.apiKey,
  loopWebhookSecret: demoLoopShop.webhookSecret,
};

describe('admin API', () => {
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let pipeline: Pipeline;
  let fastify: FastifyInstance;
  let nextOrder = 4001;

  const admin = (method: 'GET' | 'POST', url: string, payload?: object, headers: object = auth) =>
    fastify.inject({ method, url: `/admin${url}`, headers: { ...headers }, ...(payload ? { payload } : {}) });

  /** A return submitted in Loop and started for `tenantId` as the webhook would. */
  async function startReturn(tenantId: string): Promise<string> {
    const number = String(nextOrder++);
    pipeline.seedOrder(number, ['TEE-BLK-M']);
    const loopReturn = pipeline.submitReturn(`#${number}`, [{ sku: 'TEE-BLK-M', returnReason: 'Too small' }]);
    await pipeline.client.workflow.start('returnWorkflow', {
      taskQueue: pipeline.taskQueue,
      workflowId: returnWorkflowId(tenantId, loopReturn.id),
      args: [{ version: 1, tenantId, loopReturnId: loopReturn.id, loopReturn }],
    });
    return loopReturn.id;
  }

  const waitForState = (tenantId: string, loopReturnId: string, predicate: (state: ReturnState) => boolean) =>
    waitUntil(async () => {
      const answer = await admin('GET', `/tenants/${tenantId}/returns/${loopReturnId}`);
      return answer.statusCode === 200 && predicate(answer.json());
    });
  const parkings = (state: ReturnState) =>
    state.timeline.filter((t) => t.event.startsWith('needs attention'));

  beforeAll(async () => {
    dev = await connectToDevServer();
    pipeline = await startPipeline({
      client: dev.client,
      nativeConnection: dev.nativeConnection,
      settings: { tenantId: TENANT },
    });
    for (const [tenantId, facility] of [
      [BROKEN, 'Nowhere'],
      [PAUSABLE, 'Main Warehouse'],
    ] as const) {
      await pipeline.store.createTenant({
        settings: { ...demoTenantSettings, tenantId, destinationFacilityName: facility },
        secrets: demoSecrets,
      });
    }
    fastify = await buildApp({
      store: pipeline.store,
      temporal: { client: pipeline.client, taskQueue: pipeline.taskQueue },
    });
  });

  afterAll(async () => {
    await dev.client.workflow
      .getHandle(sweeperWorkflowId(PAUSABLE))
      .terminate('test finished')
      .catch(() => undefined);
    await fastify?.close();
    await pipeline?.close();
    await dev?.close();
  });

  describe('authentication', () => {
    it('answers 401 without a token or with a wrong one, on every route', async () => {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-wrong-token-wrong' },
        { authorization: ADMIN_TOKEN },
      ]) {
        for (const [method, url] of [
          ['GET', '/tenants'],
          ['POST', `/tenants/${TENANT}/pause`],
          ['POST', `/tenants/${TENANT}/resume`],
          ['GET', `/tenants/${TENANT}/returns/1`],
          ['POST', `/tenants/${TENANT}/returns/1/retry`],
          ['POST', `/tenants/${TENANT}/returns/1/mark-complete`],
        ] as const) {
          const answer = await admin(method, url, undefined, headers);
          expect(answer.statusCode).toBe(401);
          expect(answer.headers['www-authenticate']).toBe('Bearer');
        }
      }
      expect((await pipeline.store.getTenant(TENANT))?.settings.paused).toBe(false);
    });

    it('is off (404) when no ADMIN_TOKEN is set', async () => {
      const off = await buildApp({
        env: testEnv({ ADMIN_TOKEN: '' }),
        store: pipeline.store,
        temporal: { client: pipeline.client, taskQueue: pipeline.taskQueue },
      });
      for (const headers of [{}, auth]) {
        const answer = await off.inject({ method: 'GET', url: '/admin/tenants', headers });
        expect(answer.statusCode).toBe(404);
        expect(answer.json()).toMatchObject({ message: 'The admin API is disabled (no ADMIN_TOKEN set).' });
      }
      await off.close();
    });

    it('accepts the token over real HTTP', async () => {
      const { server, url } = await startGateway({
        host: '127.0.0.1',
        port: 0,
        logger: pino({ level: 'silent' }),
        env: testEnv(),
        store: pipeline.store,
        temporal: { client: pipeline.client, taskQueue: pipeline.taskQueue },
      });
      try {
        expect((await fetch(`${url}/admin/tenants`)).status).toBe(401);
        const answer = await fetch(`${url}/admin/tenants`, { headers: auth });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      } finally {
        await server.close();
      }
    });
  });

  describe('tenants', () => {
    it('lists every tenant’s settings and no secret', async () => {
      const answer = await admin('GET', '/tenants');
      expect(answer.statusCode).toBe(200);
      const { tenants } = answer.json<{ tenants: { tenantId: string }[] }>();
      expect(tenants.map((t) => t.tenantId)).toEqual([BROKEN, PAUSABLE, TENANT].sort());
      expect(tenants.find((t) => t.tenantId === TENANT)).toMatchObject({
        ...demoTenantSettings,
        tenantId: TENANT,
        paused: false,
      });
      for (const secret of Object.values(demoSecrets)) expect(answer.body).not.toContain(secret);
    });

    it('pauses and resumes a tenant, waking its sweeper on resume', async () => {
      await startTenantSweeper(pipeline.client, pipeline.taskQueue, PAUSABLE);
      const paused = await admin('POST', `/tenants/${PAUSABLE}/pause`);
      expect(paused.statusCode).toBe(200);
      expect(paused.json()).toMatchObject({ tenant: { tenantId: PAUSABLE, paused: true } });
      expect((await pipeline.store.getTenant(PAUSABLE))?.settings.paused).toBe(true);

      const resumed = await admin('POST', `/tenants/${PAUSABLE}/resume`);
      expect(resumed.statusCode).toBe(200);
      expect(resumed.json()).toMatchObject({ tenant: { tenantId: PAUSABLE, paused: false } });
      expect(JSON.stringify(resumed.json())).not.toContain(demoSecrets.loopApiKey);
      // A signal that arrives during a workflow task is written to history once that task completes.
      const sweeper = pipeline.client.workflow.getHandle(sweeperWorkflowId(PAUSABLE));
      await waitUntil(async () => {
        const { events } = await sweeper.fetchHistory();
        return (events ?? []).some(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'sweepNow',
        );
      });
    });

    it('resumes a tenant whose sweeper is not running', async () => {
      const answer = await admin('POST', `/tenants/${BROKEN}/resume`);
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ tenant: { tenantId: BROKEN, paused: false } });
    });

    it('answers 404 for an unknown tenant and 400 for an impossible tenant ID', async () => {
      for (const action of ['pause', 'resume']) {
        const unknown = await admin('POST', `/tenants/no-such-tenant/${action}`);
        expect(unknown.statusCode).toBe(404);
        expect(unknown.json()).toMatchObject({ error: 'Not Found', message: 'No tenant "no-such-tenant".' });
        const invalid = await admin('POST', `/tenants/Bad_Tenant/${action}`);
        expect(invalid.statusCode).toBe(400);
        expect(invalid.json<{ issues: string[] }>().issues[0]).toMatch(/^tenantId: Tenant ID must be/);
      }
    });

    it('tolerates an empty JSON body on a POST', async () => {
      const answer = await admin('POST', `/tenants/${PAUSABLE}/resume`, undefined, {
        ...auth,
        'content-type': 'application/json',
      });
      expect(answer.statusCode).toBe(200);
    });
  });

  describe('returns', () => {
    let waiting: string;
    let parked: string;

    beforeAll(async () => {
      waiting = await startReturn(pipeline.tenantId);
      parked = await startReturn(BROKEN);
      await waitForState(pipeline.tenantId, waiting, (s) => s.stage === 'awaiting-finale-completion');
      await waitForState(BROKEN, parked, (s) => s.stage === 'needs-attention');
    });

    it('answers the return’s state', async () => {
      const answer = await admin('GET', `/tenants/${pipeline.tenantId}/returns/${waiting}`);
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({
        version: 1,
        tenantId: pipeline.tenantId,
        loopReturnId: waiting,
        stage: 'awaiting-finale-completion',
        finaleReturn: { returnId: `LOOP-${waiting}` },
      });
    });

    it('answers 404 when there is no such workflow, and 400 for an impossible return ID', async () => {
      const missing = await admin('GET', `/tenants/${pipeline.tenantId}/returns/999999`);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ error: 'Not Found' });
      for (const [action, body] of [
        ['retry', { by: 'ops' }],
        ['mark-complete', { by: 'ops', reason: 'counted on the shelf' }],
        ['fix-lines', { by: 'ops', skipLinesWithoutSku: true }],
      ] as const) {
        const answer = await admin('POST', `/tenants/${pipeline.tenantId}/returns/999999/${action}`, body);
        expect(answer.statusCode).toBe(404);
        expect(answer.json()).toMatchObject({
          message: `No workflow for Loop return 999999 of tenant "${pipeline.tenantId}".`,
        });
      }
      const invalid = await admin(
        'GET',
        `/tenants/${pipeline.tenantId}/returns/${encodeURIComponent('1 OR 1=1')}`,
      );
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json<{ issues: string[] }>().issues[0]).toMatch(/^loopReturnId:/);
    });

    it('retries a return waiting in needs-attention', async () => {
      const answer = await admin('POST', `/tenants/${BROKEN}/returns/${parked}/retry`, { by: 'ops-alice' });
      expect(answer.statusCode).toBe(200);
      const state = answer.json<ReturnState>();
      expect(state.loopReturnId).toBe(parked);
      expect(state.timeline.map((t) => t.event)).toContain('retry requested by ops-alice');
    });

    it('retries without a body', async () => {
      // Parked again after the previous test's retry.
      await waitForState(BROKEN, parked, (s) => s.stage === 'needs-attention' && parkings(s).length === 2);
      const answer = await admin('POST', `/tenants/${BROKEN}/returns/${parked}/retry`);
      expect(answer.statusCode).toBe(200);
    });

    it('answers 409 with the reason when nothing waits for a retry', async () => {
      const answer = await admin('POST', `/tenants/${pipeline.tenantId}/returns/${waiting}/retry`, {});
      expect(answer.statusCode).toBe(409);
      const { error, message } = answer.json<{ error: string; message: string }>();
      expect(error).toBe('Conflict');
      expect(message).toMatch(/^Nothing to retry: the return is awaiting-finale-completion/);
    });

    it('validates bodies', async () => {
      const base = `/tenants/${pipeline.tenantId}/returns/${waiting}`;
      const cases = [
        [`${base}/retry`, { by: 42 }, /^by:/],
        [`${base}/retry`, { by: 'ops', force: true }, /force/],
        [`${base}/mark-complete`, { by: 'ops' }, /^reason: "reason" is required/],
        [`${base}/mark-complete`, { by: ' ', reason: 'counted' }, /^by: "by" is required/],
        [`${base}/fix-lines`, { by: 'ops' }, /Give "lines"/],
        [`${base}/fix-lines`, { by: 'ops', lines: [{ lineItemId: '1 OR 1', productId: 'X' }] }, /lineItemId/],
        [`${base}/fix-lines`, { by: 'ops', lines: [{ lineItemId: '1', productId: '' }] }, /productId/],
      ] as const;
      for (const [url, body, issue] of cases) {
        const answer = await admin('POST', url, body);
        expect(answer.statusCode).toBe(400);
        expect(answer.json()).toMatchObject({ error: 'Bad Request', message: 'Invalid request body.' });
        expect(answer.json<{ issues: string[] }>().issues.join('\n')).toMatch(issue);
      }
    });

    it('gives a line without a SKU its Finale product, and refuses (409) when no line waits for one', async () => {
      const refused = await admin('POST', `/tenants/${pipeline.tenantId}/returns/${waiting}/fix-lines`, {
        by: 'ops-carol',
        skipLinesWithoutSku: true,
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json<{ message: string }>().message).toMatch(/^No line waits for a fix/);

      const number = String(nextOrder++);
      pipeline.seedOrder(number, ['TEE-BLK-M', 'CAP-RED']);
      const loopReturn = pipeline.submitReturn(`#${number}`, [
        { sku: 'TEE-BLK-M', returnReason: 'Too small' },
        { sku: '', title: 'Logo Cap - Red', returnReason: 'Too small' },
      ]);
      await pipeline.start(loopReturn);
      await waitForState(pipeline.tenantId, loopReturn.id, (s) => s.lastError?.code === 'MissingSku');
      const line = loopReturn.lineItems.find((item) => item.sku === '')!;
      const answer = await admin('POST', `/tenants/${pipeline.tenantId}/returns/${loopReturn.id}/fix-lines`, {
        by: 'ops-carol',
        lines: [{ lineItemId: line.id, productId: 'CAP-RED' }],
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.json<ReturnState>().lineFixes).toMatchObject([
        { lineItemId: line.id, productId: 'CAP-RED', by: 'ops-carol' },
      ]);
      await waitForState(pipeline.tenantId, loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
    });

    it('refuses (409) to mark complete a return without a Finale return', async () => {
      const answer = await admin('POST', `/tenants/${BROKEN}/returns/${parked}/mark-complete`, {
        by: 'ops-bob',
        reason: 'Counted on the shelf',
      });
      expect(answer.statusCode).toBe(409);
      expect(answer.json()).toMatchObject({ message: 'No Finale return exists yet for this Loop return' });
    });

    it('marks a return complete, and then refuses (409) to change the finished return', async () => {
      const answer = await admin('POST', `/tenants/${pipeline.tenantId}/returns/${waiting}/mark-complete`, {
        by: 'ops-bob',
        reason: 'Counted on the shelf',
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({
        manualCompletion: { by: 'ops-bob', reason: 'Counted on the shelf' },
      });
      const result = await pipeline.handle(waiting).result();
      expect(result.outcome).toBe('processed');

      const done = await admin('GET', `/tenants/${pipeline.tenantId}/returns/${waiting}`);
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ stage: 'done' });
      const again = await admin('POST', `/tenants/${pipeline.tenantId}/returns/${waiting}/retry`);
      expect(again.statusCode).toBe(409);
      expect(again.json<{ message: string }>().message).toMatch(/workflow is completed/);
    });

    it('answers 503 with Retry-After while Temporal is unreachable', async () => {
      const unreachable = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
      const down = await buildApp({
        env: testEnv({ GATEWAY_TEMPORAL_TIMEOUT_MS: '300' }),
        store: pipeline.store,
        temporal: { client: new Client({ connection: unreachable }), taskQueue: pipeline.taskQueue },
      });
      try {
        const answer = await down.inject({
          method: 'GET',
          url: `/admin/tenants/${pipeline.tenantId}/returns/${parked}`,
          headers: auth,
        });
        expect(answer.statusCode).toBe(503);
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        // `unreachable` stays open: closing it under the client's pending retry surfaces as an unhandled
        // error, and it never connected, so nothing is held.
        await down.close();
      }
    });
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
