import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Env } from '../../config/env.ts';
import type { Invite } from '../../store/invite-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { adminAuth } from '../plugins/admin-auth.ts';

export interface AdminInvitesOptions {
  store: TenantStore;
  env: Pick<Env, 'ADMIN_TOKEN' | 'PUBLIC_BASE_URL'>;
}

const HOUR_MS = 3_600_000;

const createInviteBody = z.strictObject({
  note: z.string().trim().max(500, { error: 'note must be at most 500 characters' }).optional(),
  ttlHours: z
    .number({ error: 'ttlHours must be a number of hours' })
    .positive({ error: 'ttlHours must be more than 0' })
    .max(720, { error: 'ttlHours must be at most 720 (30 days)' })
    .default(72),
});

export type InviteStatus = 'open' | 'used' | 'expired' | 'revoked';

/** An invite as the admin API shows it: never the token, which exists only in the link handed out once. */
function describeInvite(invite: Invite, now: number) {
  const status: InviteStatus = invite.revokedAt
    ? 'revoked'
    : invite.expiresAt.getTime() <= now
      ? 'expired'
      : invite.tenantId
        ? 'used'
        : 'open';
  return {
    id: invite.id,
    status,
    tenantId: invite.tenantId ?? null,
    note: invite.note ?? null,
    createdBy: invite.createdBy ?? null,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt.toISOString(),
    usedAt: invite.usedAt?.toISOString() ?? null,
    revokedAt: invite.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Onboarding invites for operators and the CLI, behind the admin bearer token. Encapsulated (not
 * fastify-plugin), so the token check covers these routes only.
 */
export const adminInviteRoutes: FastifyPluginAsync<AdminInvitesOptions> = async (fastify, { store, env }) => {
  await fastify.register(adminAuth, { token: env.ADMIN_TOKEN });

  const baseUrl = (request: FastifyRequest) =>
    (env.PUBLIC_BASE_URL ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');

  fastify.post('/admin/invites', async (request, reply) => {
    const parsed = createInviteBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.status(400).send({
        error: 'Bad Request',
        message: parsed.error.issues
          .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
          .join('; '),
      });
    }
    const { note, ttlHours } = parsed.data;
    const { invite, token } = await store.invites.create({
      ttlMs: Math.round(ttlHours * HOUR_MS),
      note: note || undefined,
      createdBy: 'admin-api',
    });
    request.log.info({ inviteId: invite.id, expiresAt: invite.expiresAt }, 'onboarding invite created');
    return reply.status(201).send({
      id: invite.id,
      url: `${baseUrl(request)}/onboarding/${token}`,
      expiresAt: invite.expiresAt.toISOString(),
    });
  });

  fastify.get('/admin/invites', async () => {
    const now = Date.now();
    return { invites: (await store.invites.list()).map((invite) => describeInvite(invite, now)) };
  });

  fastify.delete<{ Params: { id: string } }>('/admin/invites/:id', async (request, reply) => {
    const revoked = await store.invites.revoke(request.params.id);
    if (!revoked) {
      return reply
        .status(404)
        .send({ error: 'Not Found', message: `No invite "${request.params.id}", or it was already revoked` });
    }
    return reply.status(204).send();
  });
};
