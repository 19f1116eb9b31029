import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Invite } from '../../store/invite-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { HttpError } from '../plugins/error-handler.ts';
import { onboardingLinkUrl } from '../public-urls.ts';
import {
  createdInviteAnswer,
  createInviteBody,
  errorAnswers,
  inviteParams,
  invitesAnswer,
  type InviteAnswer,
  type InviteStatus,
} from './schemas.ts';

export interface InviteRoutesOptions {
  store: TenantStore;
  /** PUBLIC_BASE_URL: where merchants open the links. */
  publicBaseUrl: string;
}

const HOUR_MS = 3_600_000;

function describeInvite(invite: Invite, now: number): InviteAnswer {
  const status: InviteStatus = invite.revokedAt
    ? 'revoked'
    : invite.usedAt
      ? 'used'
      : invite.expiresAt.getTime() <= now
        ? 'expired'
        : 'open';
  return {
    id: invite.id,
    kind: invite.kind,
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
 * Onboarding invites: single-use, expiring links that let a merchant connect their store, or (with a
 * tenant ID) change a connected store's settings.
 */
export const inviteRoutes: FastifyPluginAsyncZod<InviteRoutesOptions> = async (fastify, options) => {
  const { store } = options;
  const tags = ['invites'];

  fastify.post(
    '/invites',
    {
      schema: {
        summary:
          'Create an onboarding link, to set up a new tenant or change one (shown only in this answer)',
        tags,
        body: createInviteBody,
        response: { 201: createdInviteAnswer, ...errorAnswers(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { note, ttlHours, tenantId } = request.body;
      if (tenantId !== undefined) {
        const tenant = await store.getTenant(tenantId);
        if (tenant === undefined) throw new HttpError(404, `No tenant "${tenantId}".`);
        if (tenant.demo) {
          throw new HttpError(
            409,
            `"${tenantId}" is npm start's demo tenant: it is not changed through links.`,
          );
        }
      }
      const { invite, token } = await store.invites.create({
        ttlMs: Math.round(ttlHours * HOUR_MS),
        note: note || undefined,
        createdBy: 'admin-api',
        tenantId,
      });
      request.log.info(
        { inviteId: invite.id, kind: invite.kind, tenantId, expiresAt: invite.expiresAt },
        'onboarding invite created',
      );
      return reply.status(201).send({
        id: invite.id,
        url: onboardingLinkUrl(options.publicBaseUrl, token),
        expiresAt: invite.expiresAt.toISOString(),
      });
    },
  );

  fastify.get(
    '/invites',
    {
      schema: {
        summary: 'Every invite with its status (never its link)',
        tags,
        response: { 200: invitesAnswer, ...errorAnswers(401) },
      },
    },
    async () => {
      const now = Date.now();
      return { invites: (await store.invites.list()).map((invite) => describeInvite(invite, now)) };
    },
  );

  fastify.delete(
    '/invites/:id',
    {
      schema: {
        summary: 'Revoke an invite: its link stops working',
        tags,
        params: inviteParams,
        response: { 204: z.null().describe('Revoked'), ...errorAnswers(400, 401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await store.invites.revoke(request.params.id))) {
        throw new HttpError(404, `No invite "${request.params.id}", or it was already revoked`);
      }
      return reply.status(204).send(null);
    },
  );
};
