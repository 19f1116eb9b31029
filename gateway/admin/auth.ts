import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { bearerTokenCheck } from '../plugins/bearer-token.ts';

/**
 * The admin API's bearer-token check, in constant time. Wrapped with fastify-plugin so the hook lands in
 * the scope that registers it (the admin plugin), never at the root, so it never applies to webhooks or
 * onboarding. Without a configured token the admin API is off.
 */
export const adminAuth = fp<{ token: string | undefined }>(
  async (fastify: FastifyInstance, { token }) => {
    const matches = token === undefined ? undefined : bearerTokenCheck(token);
    fastify.addHook('onRequest', async (request, reply) => {
      if (matches === undefined) {
        return reply
          .status(404)
          .send({ error: 'Not Found', message: 'The admin API is disabled (no ADMIN_TOKEN set).' });
      }
      if (!matches(request.headers.authorization)) {
        return reply.status(401).header('www-authenticate', 'Bearer').send({
          error: 'Unauthorized',
          message: 'Send the admin token as "Authorization: Bearer <token>".',
        });
      }
    });
  },
  { name: 'admin-auth' },
);
