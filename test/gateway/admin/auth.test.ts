import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { adminAuth } from '../../../gateway/admin/auth.ts';

const TOKEN = 'admin-auth-test-token-0123456789';

/** Two admin scopes (as the tenant routes and the invite routes are) beside an open one. */
async function build(token: string | undefined) {
  const fastify = Fastify();
  for (const path of ['/tenants', '/invites']) {
    await fastify.register(
      async (scope) => {
        await scope.register(adminAuth, { token });
        scope.get(path, async () => ({ path }));
      },
      { prefix: '/admin' },
    );
  }
  fastify.get('/open', async () => ({ open: true }));
  return fastify;
}

describe('admin auth', () => {
  it('guards every scope that registers it, and nothing else', async () => {
    const fastify = await build(TOKEN);
    for (const url of ['/admin/tenants', '/admin/invites']) {
      expect((await fastify.inject(url)).statusCode).toBe(401);
      const ok = await fastify.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.statusCode).toBe(200);
      const lowerCase = await fastify.inject({ url, headers: { authorization: `bearer ${TOKEN}` } });
      expect(lowerCase.statusCode).toBe(200);
    }
    expect((await fastify.inject('/open')).statusCode).toBe(200);
  });

  it('refuses wrong, partial and differently-sized tokens', async () => {
    const fastify = await build(TOKEN);
    for (const authorization of [
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer ',
    ]) {
      const answer = await fastify.inject({ url: '/admin/tenants', headers: { authorization } });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.body).not.toContain(TOKEN);
    }
  });

  it('turns the admin API off without a token', async () => {
    const fastify = await build(undefined);
    const answer = await fastify.inject({ url: '/admin/invites', headers: { authorization: 'Bearer x' } });
    expect(answer.statusCode).toBe(404);
  });
});
