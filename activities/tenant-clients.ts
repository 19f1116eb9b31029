import { Context } from '@temporalio/activity';
import { FinaleClient } from '../integrations/finale/client.ts';
import type { UpstreamBounds } from '../integrations/http.ts';
import { LoopClient } from '../integrations/loop/client.ts';
import type { ApiBudgets } from '../integrations/rate-limiter.ts';
import type { Logger } from '../observability/logger.ts';
import { TenantNotFoundError } from '../store/errors.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import { issueFailure } from './failures.ts';

/** Where tenants' API calls go: the real APIs, and for demo tenants the simulators (while they run). */
export interface ApiEndpoints {
  finaleBaseUrl: string;
  loopBaseUrl: string;
  loopApiVersion: string;
  /** npm start's simulators, in demo mode: the demo tenant's calls go there, and only there. */
  demo?: { finaleBaseUrl: string; loopBaseUrl: string };
}

/** A demo tenant's calls go to the simulators; with none running they go nowhere, never to the real APIs. */
function endpointsFor(endpoints: ApiEndpoints, tenantId: string, demo: boolean) {
  if (!demo) return endpoints;
  if (endpoints.demo !== undefined) return { ...endpoints, ...endpoints.demo };
  throw issueFailure(`Tenant "${tenantId}" is a demo tenant and demo mode is not running`, {
    class: 'config',
    code: 'DemoTenantOutsideDemoMode',
    fix: 'A demo tenant only ever talks to npm start’s simulators; its returns continue when npm start runs in demo mode again',
  });
}

/** What every tenant's clients share: the per-credential budgets, and the bounds on upstream answers. */
export interface ClientPolicy {
  budgets: ApiBudgets;
  bounds?: Partial<UpstreamBounds>;
  loopListMaxPages?: number;
}

export interface TenantClients {
  finale: FinaleClient;
  loop: LoopClient;
}

/**
 * The running activity's cancellation, read at each call: the clients are cached across activities. A
 * worker shutting down cancels its activities, and their calls then stop waiting for their budgets at once.
 */
function activityCancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // not inside an activity
  }
}

/** How long decrypted credentials stay in memory before the store is asked again (a rotated key is picked up). */
const CLIENT_TTL_MS = 60_000;

/**
 * API clients for a tenant, built from the credentials in the store. Activities ask for them on every
 * call; a short cache keeps a return's burst of calls from re-reading and re-decrypting the secrets.
 */
export function createTenantClients(
  store: TenantStore,
  endpoints: ApiEndpoints,
  logger: Logger | undefined,
  policy: ClientPolicy,
) {
  const cache = new Map<string, { clients: TenantClients; expires: number }>();

  return async function clientsFor(tenantId: string): Promise<TenantClients> {
    const cached = cache.get(tenantId);
    if (cached && cached.expires > Date.now()) return cached.clients;
    const [tenant, secrets] = await Promise.all([
      store.getTenant(tenantId),
      store.getTenantSecrets(tenantId),
    ]);
    if (!tenant) throw new TenantNotFoundError(tenantId);
    const api = endpointsFor(endpoints, tenantId, tenant.demo);
    const tenantLogger = logger?.child({ tenantId });
    const clients: TenantClients = {
      finale: new FinaleClient({
        accountName: tenant.settings.finaleAccountName,
        apiKey: secrets.finaleApiKey,
        apiSecret: secrets.finaleApiSecret,
        baseUrl: api.finaleBaseUrl,
        budgets: policy.budgets,
        bounds: policy.bounds,
        logger: tenantLogger,
        cancellation: activityCancellation,
      }),
      loop: new LoopClient({
        apiKey: secrets.loopApiKey,
        baseUrl: api.loopBaseUrl,
        apiVersion: api.loopApiVersion,
        budgets: policy.budgets,
        bounds: policy.bounds,
        maxListPages: policy.loopListMaxPages,
        logger: tenantLogger,
        cancellation: activityCancellation,
      }),
    };
    cache.set(tenantId, { clients, expires: Date.now() + CLIENT_TTL_MS });
    return clients;
  };
}
