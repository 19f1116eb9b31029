// A merchant's world for the onboarding tests: a Finale account with locations, Loop shops whose keys hold
// different scopes, a tenant store, the run's Temporal dev server, and the onboarding and admin routes
// registered on their own (as app.ts registers them, minus the rest of the gateway).
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from '../../../gateway/admin/routes.ts';
import { onboardingRoutes } from '../../../gateway/onboarding/routes.ts';
import { errorHandling } from '../../../gateway/plugins/error-handler.ts';
import { adminPrefix } from '../../../gateway/public-urls.ts';
import { createReadiness } from '../../../gateway/readiness.ts';
import { startFinaleSimulator, type FinaleSimulator } from '../../../sandbox/finale/server.ts';
import { startLoopSimulator, type LoopSimulator } from '../../../sandbox/loop/server.ts';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { connectToDevServer, uniqueTaskQueue } from '../../support/temporal.ts';

export const finaleAccount = {
  name: 'acme-outdoor',
  apiKey: 'acme-finale-key',
  apiSecret: 'acme-finale-secret',
};
export const loopKeys = {
  full: 'acme-loop-key-full',
  noDestinations: 'acme-loop-key-no-destinations',
  returnsOnly: 'acme-loop-key-returns-only',
  webhookSecret: 'acme-loop-webhook-secret',
};
export const adminToken = 'admin-token-for-onboarding-tests-0123456789';

/** Locations, a sublocation and an inactive location, as a real account has them. */
export function seedFinaleAccount(finale: FinaleSimulator) {
  finale.state.seedAccount(finaleAccount);
  finale.state.seedFacility(finaleAccount.name, { facilityName: 'Main Warehouse' });
  finale.state.seedFacility(finaleAccount.name, {
    facilityName: 'Main Warehouse - Bin A1',
    parent: 'Main Warehouse',
  });
  finale.state.seedFacility(finaleAccount.name, { facilityName: 'Overflow' });
  finale.state.seedFacility(finaleAccount.name, { facilityName: 'Old Depot', active: false });
}

/** The full-scope shop's destinations: a warehouse Finale has, an EU one, and a store Finale does not handle. */
export const loopDestinations = [
  { id: 7295, name: 'Main Warehouse' },
  { id: 7296, name: 'EU Warehouse' },
  { id: 7297, name: 'Retail Store' },
];

/** One shop per key, since the simulator gives each shop one key: the full one first. */
export function seedLoopShops(loop: LoopSimulator) {
  const shop = loop.state.seedShop({
    name: 'Acme Outdoor',
    apiKey: loopKeys.full,
    webhookSecret: loopKeys.webhookSecret,
  });
  for (const destination of loopDestinations) loop.state.seedDestination({ ...destination, shopId: shop.id });
  loop.state.seedShop({
    apiKey: loopKeys.noDestinations,
    webhookSecret: 'other',
    scopes: ['returns', 'developer_tools'],
  });
  loop.state.seedShop({ apiKey: loopKeys.returnsOnly, webhookSecret: 'other', scopes: ['returns'] });
  return shop;
}

export const uniqueTenantId = (prefix = 'acme') => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A submission that passes every check, for a given tenant ID. */
export function validFields(tenantId: string): Record<string, string> {
  return {
    displayName: 'Acme Outdoor',
    tenantId,
    finaleAccountName: finaleAccount.name,
    finaleApiKey: finaleAccount.apiKey,
    finaleApiSecret: finaleAccount.apiSecret,
    destinationFacilityName: 'Main Warehouse',
    loopApiKey: loopKeys.full,
    loopWebhookSecret: loopKeys.webhookSecret,
    'reason-label-0': 'Damaged',
    'reason-id-0': '##user_00003',
    'reason-label-1': 'Too small',
    'reason-id-1': '##user_00001',
    'reason-label-2': '',
    'reason-id-2': '',
    flagReasons: 'Damaged',
    completionAction: 'process',
    intent: 'save',
  };
}

export interface WorldOptions {
  /** An existing store (e.g. one whose database the test inspects); otherwise a fresh in-memory one. */
  store?: TenantStore;
  /** PUBLIC_BASE_URL; default https://gateway.example.test. */
  publicBaseUrl?: string;
}

export type OnboardingWorld = Awaited<ReturnType<typeof startOnboardingWorld>>;

export async function startOnboardingWorld(options: WorldOptions = {}) {
  const [finale, loop, temporal] = await Promise.all([
    startFinaleSimulator(),
    startLoopSimulator(),
    connectToDevServer(),
  ]);
  seedFinaleAccount(finale);
  const shop = seedLoopShops(loop);
  let store = options.store ?? (await openStore({ secretKey: randomBytes(32) }));
  const taskQueue = uniqueTaskQueue('onboarding');
  const publicBaseUrl = options.publicBaseUrl ?? 'https://gateway.example.test';
  const env = {
    FINALE_BASE_URL: finale.url,
    LOOP_BASE_URL: loop.apiBaseUrl,
    LOOP_API_VERSION: '2026-07',
    ADMIN_TOKEN: adminToken,
  };

  const buildApp = async (): Promise<FastifyInstance> => {
    const fastify = Fastify();
    await fastify.register(errorHandling);
    await fastify.register(onboardingRoutes, {
      store,
      temporal: { client: temporal.client, taskQueue },
      env,
      publicBaseUrl,
    });
    await fastify.register(adminRoutes, {
      prefix: adminPrefix,
      token: adminToken,
      store,
      temporal: { client: temporal.client, taskQueue },
      temporalTimeoutMs: 5_000,
      publicBaseUrl,
      readiness: createReadiness({ checks: {}, log: fastify.log }),
    });
    return fastify;
  };
  let app = await buildApp();

  return {
    finale,
    loop,
    shop,
    temporal,
    taskQueue,
    env,
    publicBaseUrl,
    get store() {
      return store;
    },
    get app() {
      return app;
    },

    /** Swaps in another store (e.g. the same database reopened) and rebuilds the routes on it. */
    async useStore(next: TenantStore) {
      await app.close();
      store = next;
      app = await buildApp();
    },

    async newLink(ttlMs = 3_600_000): Promise<string> {
      return (await store.invites.create({ ttlMs })).token;
    },

    /** A link an operator makes to change a connected tenant (`invite create --tenant`). */
    async changeLink(tenantId: string, ttlMs = 3_600_000): Promise<string> {
      return (await store.invites.create({ ttlMs, tenantId })).token;
    },

    get: (token: string, suffix = '') => app.inject({ method: 'GET', url: `/onboarding/${token}${suffix}` }),

    post: (token: string, fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: `/onboarding/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      }),

    /** The shop's webhook subscriptions as the Loop simulator holds them. */
    webhooks: () => loop.state.records.shopWebhooks(shop.id),

    async close() {
      await app.close();
      await Promise.all([finale.close(), loop.close(), store.close(), temporal.close()]);
    },
  };
}

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity]!);

/** The message shown next to a field (`<p class="error" id="NAME-error">`), as the merchant reads it. */
export function fieldError(page: string, name: string): string | undefined {
  const match = new RegExp(`<p class="error" id="${name}-error">([\\s\\S]*?)</p>`).exec(page);
  return match ? decode(match[1]!) : undefined;
}

/** Every field that shows an error. */
export function fieldsInError(page: string): string[] {
  return [...page.matchAll(/<p class="error" id="([^"]+)-error">/g)].map((match) => match[1]!);
}

/** The value attribute of the input called `name`. */
export function inputValue(page: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(page)?.[0];
  const value = tag === undefined ? undefined : /\bvalue="([^"]*)"/.exec(tag)?.[1];
  return value === undefined ? undefined : decode(value);
}

/** The attributes of every `<tag …>` in the page, however the markup is wrapped. */
export function elements(page: string, tag: string): Record<string, string>[] {
  return [...page.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((match) =>
    Object.fromEntries(
      [...match[1]!.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((attribute) => [
        attribute[1]!,
        decode(attribute[2] ?? ''),
      ]),
    ),
  );
}

/** The page's text as a reader sees it: tags dropped, whitespace collapsed. */
export const textOf = (page: string) =>
  decode(page.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .replace(/ ([,.;:!?])/g, '$1')
    .trim();
