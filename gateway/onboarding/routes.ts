import { readFile } from 'node:fs/promises';
import formbody from '@fastify/formbody';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { apiEndpoints, type ApiEndpointsEnv } from '../../config/api-endpoints.ts';
import type { TenantRecord, TenantStore } from '../../store/tenant-store.ts';
import type { Invite } from '../../store/invite-store.ts';
import { retryConfigParkedReturns } from '../../temporal/retry-parked.ts';
import { requestSummary } from '../plugins/request-log.ts';
import { loopWebhookUrl, onboardingLinkPath, onboardingPrefix } from '../public-urls.ts';
import { connectTenant, saveTenant } from './connect.ts';
import {
  emptyForm,
  formFromSettings,
  parseSubmission,
  secretFields,
  SPARE_REASON_ROWS,
  typedSecrets,
} from './form.ts';
import { suggestTenantId } from './static/tenant-id.js';
import { listTenantReturns } from './tenant-returns.ts';
import { validateAll, validateDestinations, validateFinale, type ValidationContext } from './validate.ts';
import type { SafeHtml } from './views/html.ts';
import { assetsPath } from './views/layout.ts';
import { unusableLinkPage, usedLinkPage } from './views/link-pages.ts';
import { renderOnboardingForm, type FormView } from './views/onboarding-form.ts';
import { renderReturnsList, renderTestPage } from './views/onboarding-test-page.ts';

export interface OnboardingOptions {
  store: TenantStore;
  temporal: { client: Client; taskQueue: string };
  env: ApiEndpointsEnv;
  /** PUBLIC_BASE_URL: the webhook URLs registered with Loop are built on it, never on request headers. */
  publicBaseUrl: string;
}

interface LinkRoute {
  Params: { token: string };
}
type LinkRequest = FastifyRequest<LinkRoute>;

const assets = {
  'onboarding.css': 'text/css; charset=utf-8',
  'onboarding.js': 'text/javascript; charset=utf-8',
  'tenant-id.js': 'text/javascript; charset=utf-8',
} as const;

/** How long a save waits for its retry of parked returns; the merchant is waiting for the page. */
const RESUME_WAIT_MS = 5_000;

/** The link's token is a credential: keep it out of request logs, whatever logger the routes run under. */
const linkRouteOptions: RouteShorthandOptions = { logSerializers: { req: requestSummary } };

function sendPage(reply: FastifyReply, status: number, body: SafeHtml) {
  // no-store: a re-rendered form may hold secrets the merchant typed.
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body.value);
}

/** What a link can do now. */
type LinkState =
  /** A `create` link that has set up nothing yet. */
  | { mode: 'new' }
  /** Its tenant exists and it has not connected it yet: a `change` link, or a `create` link whose connection failed. */
  | { mode: 'edit'; tenant: TenantRecord }
  /** It has connected its tenant: it saves nothing more. */
  | { mode: 'used'; tenant: TenantRecord | undefined }
  /** A `change` link whose tenant was removed. */
  | { mode: 'gone' };

/**
 * The merchant onboarding pages behind an invite link: the settings form (server-rendered, complete
 * without JavaScript), its live validation against Finale and Loop, the save that connects the tenant, and
 * the "test with a live return" page. A link saves once: a `create` link sets up one new tenant, a `change`
 * link (made by an operator) changes one existing tenant, and a change needs the Loop key and webhook
 * secret typed again. Secrets are never written back into a page.
 */
export const onboardingRoutes: FastifyPluginAsync<OnboardingOptions> = async (fastify, options) => {
  const { store, temporal, env, publicBaseUrl } = options;
  const endpoints = apiEndpoints(env);
  if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) await fastify.register(formbody);

  const assetBodies = new Map(
    await Promise.all(
      Object.keys(assets).map(
        async (name) => [name, await readFile(new URL(`./static/${name}`, import.meta.url), 'utf8')] as const,
      ),
    ),
  );
  fastify.get<{ Params: { file: string } }>(`${assetsPath}/:file`, async (request, reply) => {
    const { file } = request.params;
    const body = assetBodies.get(file);
    if (body === undefined) return reply.callNotFound();
    return reply
      .header('content-type', assets[file as keyof typeof assets])
      .header('cache-control', 'public, max-age=300')
      .send(body);
  });

  const linkPath = onboardingLinkPath;
  const webhookUrl = (tenantId: string) => loopWebhookUrl(publicBaseUrl, tenantId);

  /** The invite behind a usable link, or undefined after answering with the page that says why not. */
  async function openLink(request: LinkRequest, reply: FastifyReply): Promise<Invite | undefined> {
    const lookup = await store.invites.lookup(request.params.token);
    if (lookup.status === 'valid') return lookup.invite;
    await sendPage(reply, lookup.status === 'unknown' ? 404 : 410, unusableLinkPage(lookup.status));
    return undefined;
  }

  async function linkState(invite: Invite): Promise<LinkState> {
    const tenant = invite.tenantId === undefined ? undefined : await store.getTenant(invite.tenantId);
    if (invite.usedAt !== undefined) return { mode: 'used', tenant };
    if (invite.tenantId === undefined) return { mode: 'new' };
    return tenant === undefined ? { mode: 'gone' } : { mode: 'edit', tenant };
  }

  /** The answer for a link that cannot save: used (with its tenant's test page), or its tenant removed. */
  function cannotSave(
    reply: FastifyReply,
    token: string,
    state: Extract<LinkState, { mode: 'used' | 'gone' }>,
    status: number,
  ) {
    if (state.mode === 'gone') return sendPage(reply, 410, unusableLinkPage('gone'));
    const tenant = state.tenant;
    return sendPage(
      reply,
      status,
      usedLinkPage({
        displayName: tenant?.settings.displayName,
        testUrl: tenant && `${linkPath(token)}/test`,
      }),
    );
  }

  fastify.get<LinkRoute>(`${onboardingPrefix}/:token`, linkRouteOptions, async (request, reply) => {
    const invite = await openLink(request, reply);
    if (!invite) return reply;
    const { token } = request.params;
    const state = await linkState(invite);
    if (state.mode === 'used' || state.mode === 'gone') return cannotSave(reply, token, state, 200);
    const form = state.mode === 'edit' ? formFromSettings(state.tenant.settings) : emptyForm();
    return sendPage(
      reply,
      200,
      renderOnboardingForm({ action: linkPath(token), form, mode: state.mode, errors: {}, formErrors: [] }),
    );
  });

  fastify.post<LinkRoute>(`${onboardingPrefix}/:token`, linkRouteOptions, async (request, reply) => {
    const invite = await openLink(request, reply);
    if (!invite) return reply;
    const { token } = request.params;
    const state = await linkState(invite);
    if (state.mode === 'used' || state.mode === 'gone') return cannotSave(reply, token, state, 409);
    const existing = state.mode === 'edit' ? state.tenant.settings : undefined;
    const submission = parseSubmission(request.body);
    const { form } = submission;
    form.tenantId = existing?.tenantId ?? (form.tenantId || suggestTenantId(form.displayName));
    const retype = typedSecrets(form);

    const render = (status: number, view: Partial<FormView>) => {
      // Never written back into the page, whatever the view does: the merchant types them again.
      const shown = { ...form };
      for (const name of secretFields) shown[name] = '';
      return sendPage(
        reply,
        status,
        renderOnboardingForm({
          action: linkPath(token),
          form: shown,
          mode: state.mode,
          errors: {},
          formErrors: [],
          spareRows: submission.spareRows,
          retype,
          ...view,
        }),
      );
    };
    const context: ValidationContext = {
      endpoints,
      existing,
      // Only a submission reads the saved secrets: blank Finale secret fields fall back to them.
      storedSecrets: existing && (await store.getTenantSecrets(existing.tenantId)),
      tenantIdTaken: async (tenantId) => (await store.getTenant(tenantId)) !== undefined,
    };

    if (submission.intent === 'add-rows') {
      return render(200, { spareRows: submission.spareRows + SPARE_REASON_ROWS });
    }
    if (submission.useFacility !== undefined) form.destinationFacilityName = submission.useFacility;
    if (submission.intent === 'check-finale' || submission.useFacility !== undefined) {
      return render(200, await validateFinale(form, context));
    }
    if (submission.intent === 'load-destinations') {
      const loaded = await validateDestinations(form, context);
      if (loaded.destinationRows) form.destinationRows = loaded.destinationRows;
      return render(200, loaded);
    }

    const validation = await validateAll(form, context);
    if (validation.destinationRows) form.destinationRows = validation.destinationRows;
    const { tenant } = validation;
    if (!tenant) return render(422, validation);
    const saved = await saveTenant(store, invite, token, tenant, state.mode);
    if (!saved.ok) return render(409, { ...saved, locations: validation.locations });

    const problems = await connectTenant(
      { temporal, endpoints, logger: request.log },
      saved.tenantId,
      tenant.secrets.loopApiKey,
      webhookUrl(saved.tenantId),
    );
    if (problems.length > 0) {
      // Saved, not connected: the link stays open to try again, now changing the tenant it set up.
      return render(502, { mode: 'edit', formErrors: problems, locations: validation.locations });
    }
    await store.invites.markUsed(invite.id);
    request.log.info(
      { tenantId: saved.tenantId, mode: state.mode, inviteId: invite.id },
      'onboarding saved and connected a tenant',
    );
    if (state.mode === 'edit') await resumeParkedReturns(request, saved.tenantId);
    return reply.redirect(`${linkPath(token)}/test`, 303);
  });

  /**
   * A changed setting may be the fix a parked return waits for: returns parked on a config issue retry at
   * once instead of at their next automatic re-check. Never fails the save: the re-check remains.
   */
  async function resumeParkedReturns(request: FastifyRequest, tenantId: string) {
    try {
      const result = await retryConfigParkedReturns(
        temporal.client,
        tenantId,
        'the merchant (settings saved)',
        {
          waitMs: RESUME_WAIT_MS,
        },
      );
      if (result.matched > 0)
        request.log.info({ tenantId, ...result }, 'settings saved: parked returns resumed');
    } catch (error) {
      request.log.warn(
        { err: error, tenantId },
        'settings saved, but parked returns could not be resumed now',
      );
    }
  }

  /** The tenant this link set up or changes, or undefined after redirecting to the form (nothing yet). */
  async function linkedTenant(request: LinkRequest, reply: FastifyReply) {
    const invite = await openLink(request, reply);
    if (!invite) return undefined;
    const tenant = invite.tenantId === undefined ? undefined : await store.getTenant(invite.tenantId);
    if (!tenant) {
      await reply.redirect(linkPath(request.params.token), 303);
      return undefined;
    }
    return { tenant, invite };
  }

  async function returnsOf(request: FastifyRequest, tenantId: string) {
    try {
      return await listTenantReturns(temporal.client, tenantId);
    } catch (error) {
      request.log.warn({ err: error, tenantId }, 'could not list the tenant’s returns');
      return undefined;
    }
  }

  fastify.get<LinkRoute>(`${onboardingPrefix}/:token/test`, linkRouteOptions, async (request, reply) => {
    const linked = await linkedTenant(request, reply);
    if (!linked) return reply;
    const { tenant, invite } = linked;
    const { tenantId } = tenant.settings;
    const returns = await returnsOf(request, tenantId);
    const path = linkPath(request.params.token);
    return sendPage(
      reply,
      200,
      renderTestPage({
        settings: tenant.settings,
        webhookUrl: webhookUrl(tenantId),
        editUrl: invite.usedAt === undefined ? path : undefined,
        returnsUrl: `${path}/test/returns`,
        returns: returns ?? [],
        listAvailable: returns !== undefined,
        lastChange: {
          at: tenant.settingsChangedAt,
          via: tenant.settingsChangedVia,
          thisLink: tenant.settingsChangedVia === invite.id,
        },
      }),
    );
  });

  // The list alone, for the page's script to refresh in place.
  fastify.get<LinkRoute>(
    `${onboardingPrefix}/:token/test/returns`,
    linkRouteOptions,
    async (request, reply) => {
      const linked = await linkedTenant(request, reply);
      if (!linked) return reply;
      const returns = await returnsOf(request, linked.tenant.settings.tenantId);
      if (returns === undefined) return reply.status(503).header('cache-control', 'no-store').send();
      return sendPage(reply, 200, renderReturnsList(returns));
    },
  );
};
