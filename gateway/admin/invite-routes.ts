import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Invite } from '../../store/invite-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { HttpError } from '../plugins/error-handler.ts';
import { onboardingLinkUrl, publicBaseUrl } from '../public-urls.ts';
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
  /** PUBLIC_BASE_URL: where merchants open the links; unset = the origin the request came to. */
  publicBaseUrl: string | undefined;
}

const HOUR_MS = 3_600_000;

function describeInvite(invite: Invite, now: number): InviteAnswer {
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

/** Onboarding invites: single-use, expiring links that let a merchant connect their store. */
export const inviteRoutes: FastifyPluginAsyncZod<InviteRoutesOptions> = async (fastify, options) => {
  const { store } = options;
  const tags = ['invites'];

  fastify.post(
    '/invites',
    {
      schema: {
        summary: 'Create an onboarding link (shown only in this answer)',
        tags,
        body: createInviteBody,
        response: { 201: createdInviteAnswer, ...errorAnswers(400, 401) },
      },
    },
    async (request, reply) => {
      const { note, ttlHours } = request.body;
      const { invite, token } = await store.invites.create({
        ttlMs: Math.round(ttlHours * HOUR_MS),
        note: note || undefined,
        createdBy: 'admin-api',
      });
      request.log.info({ inviteId: invite.id, expiresAt: invite.expiresAt }, 'onboarding invite created');
      return reply.status(201).send({
        id: invite.id,
        url: onboardingLinkUrl(publicBaseUrl(options.publicBaseUrl, request), token),
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
