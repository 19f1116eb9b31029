import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorHandling, HttpError, serviceUnavailable } from '../../../gateway/plugins/error-handler.ts';

async function build() {
  const fastify = Fastify();
  await fastify.register(errorHandling);
  fastify.get('/bad', async () => {
    throw new HttpError(400, 'The body is wrong.', { issues: ['id: expected a number'] });
  });
  fastify.get('/busy', async () => {
    throw serviceUnavailable(30);
  });
  fastify.get('/crash', async () => {
    throw Object.assign(new Error('token=abc123 leaked'), { statusCode: 502 });
  });
  fastify.post('/json', async () => 'ok');
  await fastify.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/items/:id',
      {
        schema: {
          params: z.object({ id: z.string().regex(/^\d+$/, { error: 'id must be digits' }) }),
          body: z.strictObject({ count: z.number({ error: 'count must be a number' }) }),
        },
      },
      async () => 'ok',
    );
  });
  return fastify;
}

describe('error handler', () => {
  it('tells the caller what was wrong with a 4xx, details included', async () => {
    const response = await (await build()).inject('/bad');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request',
      message: 'The body is wrong.',
      issues: ['id: expected a number'],
    });
  });

  it("reports Fastify's own 4xx with their status text", async () => {
    const response = await (
      await build()
    ).inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request' });
  });

  it('answers every route schema’s refusal in one shape: what was invalid, and each problem without its value', async () => {
    const fastify = await build();
    const body = await fastify.inject({
      method: 'POST',
      url: '/items/7',
      payload: { count: 'secret-value', extra: 1 },
    });
    expect(body.statusCode).toBe(400);
    expect(body.json()).toEqual({
      error: 'Bad Request',
      message: 'Invalid request body.',
      issues: ['count: count must be a number', 'Unrecognized key: "extra"'],
    });
    expect(body.body).not.toContain('secret-value');

    const path = await fastify.inject({ method: 'POST', url: '/items/x', payload: { count: 1 } });
    expect(path.statusCode).toBe(400);
    expect(path.json()).toEqual({
      error: 'Bad Request',
      message: 'Invalid request path.',
      issues: ['id: id must be digits'],
    });
  });

  it('answers 503 with its headers and a fixed message', async () => {
    const response = await (await build()).inject('/busy');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.json()).toEqual({
      error: 'Service Unavailable',
      message: 'The service is temporarily unavailable; try again later.',
    });
  });

  it('reveals nothing of any other 5xx', async () => {
    const response = await (await build()).inject('/crash');
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({ error: 'Bad Gateway', message: 'Something went wrong.' });
  });
});
