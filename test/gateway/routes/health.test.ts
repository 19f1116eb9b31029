import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { app } from '../../../gateway/app.ts';

async function build(checks: Record<string, () => Promise<void>>) {
  const fastify = Fastify();
  await fastify.register(app, { readinessChecks: checks });
  fastify.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  return fastify;
}

describe('health routes', () => {
  it('answers /healthz without touching dependencies', async () => {
    const fastify = await build({ temporal: () => Promise.reject(new Error('down')) });
    const response = await fastify.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('reports ready only when every dependency answers', async () => {
    const fastify = await build({ temporal: async () => undefined, store: async () => undefined });
    const response = await fastify.inject('/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ready',
      checks: { temporal: { ok: true }, store: { ok: true } },
    });
  });

  it('answers 503 naming the dependency that failed', async () => {
    const fastify = await build({
      temporal: () => Promise.reject(new Error('connection refused')),
      store: async () => undefined,
    });
    const response = await fastify.inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'not ready',
      checks: { temporal: { ok: false, error: 'connection refused' }, store: { ok: true } },
    });
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
