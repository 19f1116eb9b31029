import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { freePort } from '../../support/free-port.ts';
import { connectToDevServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { ADMIN_TOKEN, buildApp } from '../gateway-fixture.ts';

let dev: Awaited<ReturnType<typeof connectToDevServer>>;
let store: TenantStore;
const taskQueue = uniqueTaskQueue('health');

beforeAll(async () => {
  dev = await connectToDevServer();
  store = await openStore({ secretKey: randomBytes(32) });
});

afterAll(async () => {
  await store?.close();
  await dev?.close();
});

async function build(checks?: Record<string, () => Promise<void>>) {
  const fastify = await buildApp({
    store,
    temporal: { client: dev.client, taskQueue },
    ...(checks ? { readinessChecks: checks } : {}),
  });
  fastify.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  return fastify;
}

const readyz = async (fastify: FastifyInstance) => {
  const response = await fastify.inject('/readyz');
  return { status: response.statusCode, body: response.json<unknown>() };
};
const details = async (fastify: FastifyInstance) =>
  (
    await fastify.inject({ url: '/admin/readiness', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).json<{ status: string; checks: Record<string, { ok: boolean; error?: string }> }>();

describe('health routes', () => {
  it('answers /healthz without touching dependencies', async () => {
    const fastify = await build({ temporal: () => Promise.reject(new Error('down')) });
    const response = await fastify.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', service: 'loop-finale-bridge' });
  });

  it('reports ready only when every dependency answers', async () => {
    const fastify = await build({ temporal: async () => undefined, store: async () => undefined });
    expect(await readyz(fastify)).toEqual({ status: 200, body: { status: 'ready' } });
    expect(await details(fastify)).toMatchObject({
      status: 'ready',
      checks: { temporal: { ok: true }, store: { ok: true } },
    });
  });

  it('answers 503 on /readyz, and names the failed dependency only to the admin API', async () => {
    const fastify = await build({
      temporal: () => Promise.reject(new Error('connection refused')),
      store: async () => undefined,
    });
    expect(await readyz(fastify)).toEqual({ status: 503, body: { status: 'not ready' } });
    expect(await details(fastify)).toMatchObject({
      status: 'not ready',
      checks: { temporal: { ok: false, error: 'connection refused' }, store: { ok: true } },
    });
  });

  it('checks the real Temporal server and tenant store when given no checks', async () => {
    const fastify = await build();
    expect(await readyz(fastify)).toEqual({ status: 200, body: { status: 'ready' } });
    expect(Object.keys((await details(fastify)).checks).sort()).toEqual(['store', 'temporal']);
  });

  it('always checks both dependencies, even when only extra checks are given', async () => {
    const fastify = await build({ cache: async () => undefined });
    expect(Object.keys((await details(fastify)).checks).sort()).toEqual(['cache', 'store', 'temporal']);
  });

  it('is not ready while Temporal is unreachable or the store fails', async () => {
    const unreachable = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const failingStore: TenantStore = {
      ...store,
      getTenant: () => Promise.reject(new Error('Connection terminated unexpectedly')),
    };
    const fastify = await buildApp({
      store: failingStore,
      temporal: { client: new Client({ connection: unreachable }), taskQueue },
    });
    expect(await readyz(fastify)).toEqual({ status: 503, body: { status: 'not ready' } });
    expect(await details(fastify)).toMatchObject({
      status: 'not ready',
      checks: {
        temporal: { ok: false },
        store: { ok: false, error: 'Connection terminated unexpectedly' },
      },
    });
    // Not closed: the client's own retry of the probe may still be pending, and closing the channel under it
    // would surface as an unhandled error. The connection never connected, so nothing is held open.
  });
});

describe('error handler', () => {
  it('reveals nothing about a 5xx', async () => {
    const fastify = await build({});
    const response = await fastify.inject('/boom');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
  });

  it('says what was wrong for an unknown route', async () => {
    const fastify = await build({});
    const response = await fastify.inject('/nope');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ message: 'No route for GET /nope' });
  });
});
