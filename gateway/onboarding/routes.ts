import { readFile } from 'node:fs/promises';
import formbody from '@fastify/formbody';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { apiEndpoints, type ApiEndpointsEnv } from '../../config/api-endpoints.ts';
import type { Env } from '../../config/env.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import type { Invite } from '../../store/invite-store.ts';
import { retryConfigParkedReturns } from '../../temporal/retry-parked.ts';
import { requestSummary } from '../plugins/request-log.ts';
import { loopWebhookUrl, onboardingLinkPath, onboardingPrefix, publicBaseUrl } from '../public-urls.ts';
import { connectTenant, saveTenant } from './connect.ts';
import { emptyForm, formFromSettings, parseSubmission, SPARE_REASON_ROWS, suggestTenantId } from './form.ts';
import { listTenantReturns } from './tenant-returns.ts';
import { validateAll, validateDestinations, validateFinale, type ValidationContext } from './validate.ts';
import type { SafeHtml } from './views/html.ts';
import { assetsPath } from './views/layout.ts';
import { unusableLinkPage } from './views/link-pages.ts';
import { renderOnboardingForm, type FormView } from './views/onboarding-form.ts';
import { renderReturnsList, renderTestPage } from './views/onboarding-test-page.ts';

export interface OnboardingOptions {
  store: TenantStore;
  temporal: { client: Client; taskQueue: string };
  env: Pick<Env, 'PUBLIC_BASE_URL'> & ApiEndpointsEnv;
}

interface LinkRoute {
  Params: { token: string };
}
type LinkRequest = FastifyRequest<LinkRoute>;

const assets = {
  'onboarding.css': 'text/css; charset=utf-8',
  'onboarding.js': 'text/javascript; charset=utf-8',
} as const;

/** How long a save waits for its retry of parked returns; the merchant is waiting for the page. */
const RESUME_WAIT_MS = 5_000;

const linkToken = new RegExp(`^${onboardingPrefix}/[^/]+`);
/** The link's token is a credential: keep it out of request logs. */
const linkRouteOptions: RouteShorthandOptions = {
  logSerializers: { req: requestSummary((path) => path.replace(linkToken, `${onboardingPrefix}/[link]`)) },
};

function sendPage(reply: FastifyReply, status: number, body: SafeHtml) {
  // no-store: a re-rendered form may hold secrets the merchant typed.
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body.value);
}

/**
 * The merchant onboarding pages behind an invite link: the settings form (server-rendered, complete
 * without JavaScript), its live validation against Finale and Loop, the save that connects the tenant, and
 * the "test with a live return" page.
 */
export const onboardingRoutes: FastifyPluginAsync<OnboardingOptions> = async (fastify, options) => {
  const { store, temporal, env } = options;
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
  const webhookUrl = (request: FastifyRequest, tenantId: string) =>
    loopWebhookUrl(publicBaseUrl(env.PUBLIC_BASE_URL, request), tenantId);

  /** The invite behind a usable link, or undefined after answering with the page that says why not. */
  async function openLink(request: LinkRequest, reply: FastifyReply): Promise<Invite | undefined> {
    const lookup = await store.invites.lookup(request.params.token);
    if (lookup.status === 'valid') return lookup.invite;
    await sendPage(reply, lookup.status === 'unknown' ? 404 : 410, unusableLinkPage(lookup.status));
    return undefined;
  }

  /** What the link has set up so far: nothing (new), or a tenant the link may keep editing until it expires. */
  async function linkState(invite: Invite) {
    if (invite.tenantId === undefined) return { mode: 'new' as const, tenantId: undefined };
    return {
      mode: 'edit' as const,
      tenantId: invite.tenantId,
      tenant: await store.getTenant(invite.tenantId),
    };
  }

  fastify.get<LinkRoute>(`${onboardingPrefix}/:token`, linkRouteOptions, async (request, reply) => {
    const invite = await openLink(request, reply);
    if (!invite) return reply;
    const state = await linkState(invite);
    const form = state.tenant ? formFromSettings(state.tenant.settings) : emptyForm();
    if (state.tenantId) form.tenantId = state.tenantId;
    return sendPage(
      reply,
      200,
      renderOnboardingForm({
        action: linkPath(request.params.token),
        form,
        mode: state.mode,
        errors: {},
        formErrors: [],
      }),
    );
  });

  fastify.post<LinkRoute>(`${onboardingPrefix}/:token`, linkRouteOptions, async (request, reply) => {
    const invite = await openLink(request, reply);
    if (!invite) return reply;
    const { token } = request.params;
    const state = await linkState(invite);
    const submission = parseSubmission(request.body);
    const { form } = submission;
    form.tenantId = state.tenantId ?? (form.tenantId || suggestTenantId(form.displayName));

    const render = (status: number, view: Partial<FormView>) =>
      sendPage(
        reply,
        status,
        renderOnboardingForm({
          action: linkPath(token),
          form,
          mode: state.mode,
          errors: {},
          formErrors: [],
          spareRows: submission.spareRows,
          ...view,
        }),
      );
    const context: ValidationContext = {
      endpoints,
      existing: state.tenant?.settings,
      // Only a submission reads the saved secrets: blank secret fields fall back to them.
      storedSecrets: state.tenant && (await store.getTenantSecrets(state.tenant.settings.tenantId)),
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
    const saved = await saveTenant(store, token, tenant, state.mode);
    if (!saved.ok) return render(409, { ...saved, locations: validation.locations });

    const problems = await connectTenant(
      { temporal, endpoints, logger: request.log },
      saved.tenantId,
      tenant.secrets.loopApiKey,
      webhookUrl(request, saved.tenantId),
    );
    if (problems.length > 0) {
      // Saved: the link now edits this tenant, so blank secrets keep what was just stored.
      return render(502, { mode: 'edit', formErrors: problems, locations: validation.locations });
    }
    request.log.info(
      { tenantId: saved.tenantId, mode: state.mode },
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

  /** The tenant this link set up, or undefined after redirecting to the form (nothing set up yet). */
  async function linkedTenant(request: LinkRequest, reply: FastifyReply) {
    const invite = await openLink(request, reply);
    if (!invite) return undefined;
    const tenant = invite.tenantId === undefined ? undefined : await store.getTenant(invite.tenantId);
    if (!tenant) await reply.redirect(linkPath(request.params.token), 303);
    return tenant;
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
    const tenant = await linkedTenant(request, reply);
    if (!tenant) return reply;
    const { tenantId } = tenant.settings;
    const returns = await returnsOf(request, tenantId);
    const path = linkPath(request.params.token);
    return sendPage(
      reply,
      200,
      renderTestPage({
        settings: tenant.settings,
        webhookUrl: webhookUrl(request, tenantId),
        editUrl: path,
        returnsUrl: `${path}/test/returns`,
        returns: returns ?? [],
        listAvailable: returns !== undefined,
      }),
    );
  });

  // The list alone, for the page's script to refresh in place.
  fastify.get<LinkRoute>(
    `${onboardingPrefix}/:token/test/returns`,
    linkRouteOptions,
    async (request, reply) => {
      const tenant = await linkedTenant(request, reply);
      if (!tenant) return reply;
      const returns = await returnsOf(request, tenant.settings.tenantId);
      if (returns === undefined) return reply.status(503).header('cache-control', 'no-store').send();
      return sendPage(reply, 200, renderReturnsList(returns));
    },
  );
};
