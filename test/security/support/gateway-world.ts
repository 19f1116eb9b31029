// The whole gateway as production starts it (startGateway: logger, proxy trust, framework errors, every
// route), on an in-memory store, with the Finale and Loop simulators as the merchant's real APIs and
// a stubbed Temporal client that records workflow starts. No Temporal server: these tests run in the unit
// project.
import { randomBytes } from 'node:crypto';
import { parseEnv, type Env } from '../../../config/env.ts';
import { startGateway } from '../../../gateway/server.ts';
import { createLogger } from '../../../observability/logger.ts';
import { startFinaleSimulator } from '../../../sandbox/finale/server.ts';
import { startLoopSimulator } from '../../../sandbox/loop/server.ts';
import { openStore } from '../../../store/open-store.ts';
import type { TenantStore } from '../../../store/tenant-store.ts';
import { seedFinaleAccount, seedLoopShops } from '../../gateway/onboarding/world.ts';
import { stubTemporal } from './stub-temporal.ts';

export const ADMIN_TOKEN = 'security-test-admin-token-0123456789';
export const PUBLIC_BASE_URL = 'https://returns.example.com';

export interface GatewayWorldOptions {
  /** Extra environment; the simulators' URLs, the admin token and PUBLIC_BASE_URL are set already. */
  env?: Record<string, string>;
  demoMode?: boolean;
  store?: TenantStore;
}

export type GatewayWorld = Awaited<ReturnType<typeof startGatewayWorld>>;

export async function startGatewayWorld(options: GatewayWorldOptions = {}) {
  const [finale, loop] = await Promise.all([startFinaleSimulator(), startLoopSimulator()]);
  seedFinaleAccount(finale);
  const shop = seedLoopShops(loop);
  const store = options.store ?? (await openStore({ secretKey: randomBytes(32) }));
  const temporal = stubTemporal();
  const logLines: string[] = [];
  const env: Env = parseEnv({
    LOG_LEVEL: 'info',
    ADMIN_TOKEN,
    PUBLIC_BASE_URL,
    FINALE_BASE_URL: finale.url,
    LOOP_BASE_URL: loop.apiBaseUrl,
    ...options.env,
  });
  const { server: app, url } = await startGateway({
    host: '127.0.0.1',
    port: 0,
    env,
    logger: createLogger({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    store,
    temporal: { client: temporal.client, taskQueue: temporal.taskQueue },
    demoMode: options.demoMode,
  });

  return {
    app: app,
    /** Where it listens, for requests over real HTTP. */
    url,
    env,
    store,
    finale,
    loop,
    shop,
    starts: temporal.starts,
    /** Every line the gateway logged, as written. */
    log: () => logLines.join(''),

    async newLink(tenantId?: string): Promise<string> {
      return (await store.invites.create({ ttlMs: 3_600_000, tenantId })).token;
    },

    postForm: (token: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/onboarding/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(fields).toString(),
      }),

    /** The shop's webhook subscriptions as the Loop simulator holds them. */
    webhooks: () => loop.state.records.shopWebhooks(shop.id),

    /** Closes the store too, unless it was given. */
    async close() {
      await app.close();
      await Promise.all([finale.close(), loop.close(), options.store ? undefined : store.close()]);
    },
  };
}
