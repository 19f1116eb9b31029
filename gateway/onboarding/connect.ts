import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { ApiEndpoints } from '../../activities/tenant-clients.ts';
import type { NewTenant } from '../../config/tenant-settings.ts';
import { isApiError } from '../../integrations/errors.ts';
import { LoopClient } from '../../integrations/loop/client.ts';
import { returnTriggers } from '../../integrations/loop/webhook-topics.ts';
import { TenantExistsError, TenantNotFoundError } from '../../store/errors.ts';
import { InviteUsedError, type Invite } from '../../store/invite-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { startTenantSweeper } from '../../temporal/workflow-starts.ts';
import type { FieldErrors } from './form.ts';

export type SaveResult =
  { ok: true; tenantId: string } | { ok: false; errors: FieldErrors; formErrors: string[] };

/**
 * Saves the tenant for this link, recording the link as the source of the change. A new tenant is created
 * (never an upsert, which would overwrite another merchant's tenant that happens to have the same ID) and
 * then bound to the link; if a concurrent submission of the same link bound it to another ID first, the
 * tenant just created is removed again. An existing tenant is replaced, never re-created if it was removed.
 */
export async function saveTenant(
  store: TenantStore,
  invite: Invite,
  token: string,
  tenant: NewTenant,
  mode: 'new' | 'edit',
): Promise<SaveResult> {
  const tenantId = tenant.settings.tenantId;
  const change = { inviteId: invite.id };
  if (mode === 'edit') {
    try {
      await store.replaceTenant(tenant, change);
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      return { ok: false, errors: {}, formErrors: ['This store has been removed; ask Loop for a new link.'] };
    }
    return { ok: true, tenantId };
  }
  try {
    await store.createTenant(tenant, change);
  } catch (error) {
    if (!(error instanceof TenantExistsError)) throw error;
    return {
      ok: false,
      formErrors: [],
      errors: { tenantId: `The store ID “${tenantId}” is already taken. Choose another.` },
    };
  }
  try {
    await store.invites.bindTenant(token, tenantId);
  } catch (error) {
    await store.deleteTenant(tenantId);
    if (!(error instanceof InviteUsedError)) throw error;
    return {
      ok: false,
      errors: {},
      formErrors: [
        `This link has just been used to set up “${error.tenantId}”. Reload the page to see and edit those settings.`,
      ],
    };
  }
  return { ok: true, tenantId };
}

export interface ConnectDeps {
  temporal: { client: Client; taskQueue: string };
  endpoints: ApiEndpoints;
  logger: FastifyBaseLogger;
}

/**
 * After a save: active Loop subscriptions for the tenant's webhook URL (existing ones are reused, so a
 * re-submission never duplicates them) and the tenant's sweeper. Both are idempotent, so when one fails the
 * merchant simply submits again. Returns what to tell the merchant, if anything failed.
 */
export async function connectTenant(
  deps: ConnectDeps,
  tenantId: string,
  loopApiKey: string,
  webhookUrl: string,
): Promise<string[]> {
  const problems: string[] = [];
  const loop = new LoopClient({
    apiKey: loopApiKey,
    baseUrl: deps.endpoints.loopBaseUrl,
    apiVersion: deps.endpoints.loopApiVersion,
    timeoutMs: 10_000,
  });
  try {
    await loop.ensureWebhooks(webhookUrl, returnTriggers);
  } catch (error) {
    if (!isApiError(error)) throw error;
    deps.logger.warn({ err: error, tenantId }, 'onboarding could not register Loop webhooks');
    problems.push(
      'Your settings are saved, but Loop did not let us register the webhooks that tell us about new returns. ' +
        'Please submit the form again in a minute.',
    );
  }
  try {
    await startTenantSweeper(deps.temporal.client, deps.temporal.taskQueue, tenantId);
  } catch (error) {
    deps.logger.error({ err: error, tenantId }, 'onboarding could not start the tenant sweeper');
    problems.push(
      'Your settings are saved, but we could not start watching Finale for completed returns. Please submit ' +
        'the form again in a minute.',
    );
  }
  return problems;
}
