// Demo mode of `npm start`: while no real tenant exists, the Finale and Loop simulators run in-process on
// fixed ports, seeded with the demo world (sandbox/demo-world.ts) and a few orders, so a return can be
// pushed end to end with `npm run cli -- demo`. The demo tenant is marked as such in the store: its calls
// go to the simulators, and a merchant onboarded meanwhile talks to the real APIs from the same process.
import { demoFinaleAccount, demoTenantSettings, seedDemoWorld } from '../../sandbox/demo-world.ts';
import { startFinaleSimulator, type FinaleSimulator } from '../../sandbox/finale/server.ts';
import { startLoopSimulator, type LoopSimulator } from '../../sandbox/loop/server.ts';
import type { TenantStore } from '../../store/tenant-store.ts';

export const demoTenantId = demoTenantSettings.tenantId;

/** Orders the demo Finale account knows, so returns against them resolve at once. */
export const demoOrders = [
  { orderId: '#1001', productIds: ['TEE-BLK-M', 'CAP-RED'] },
  { orderId: '#1002', productIds: ['MUG-WHT', 'TEE-BLK-M'] },
  { orderId: '#1003', productIds: ['CAP-RED', 'MUG-WHT'] },
] as const satisfies readonly { orderId: string; productIds: readonly string[] }[];

/** Short intervals so a completed return shows up in seconds rather than the production minutes. */
const demoTimings = { sweeperIntervalMs: '10s', completionCheckIntervalMs: '1m' } as const;

export interface DemoSandbox {
  finale: FinaleSimulator;
  loop: LoopSimulator;
  endpoints: { finaleBaseUrl: string; loopBaseUrl: string };
  /** Subscribes the gateway's webhook URL for the demo tenant to every return trigger, active. */
  subscribeWebhooks(webhookUrl: string): void;
  close(): Promise<void>;
}

/** Tenants that are not demo tenants: their presence switches demo mode off at the next start. */
export async function realTenantIds(store: TenantStore): Promise<string[]> {
  const tenants = await store.listTenants();
  return tenants.filter((tenant) => !tenant.demo).map((tenant) => tenant.settings.tenantId);
}

/**
 * Outside demo mode: every demo tenant is paused, so its sweeper idles and its returns wait. The gateway
 * refuses its webhooks and its calls go nowhere (its credentials are public and never meant for real APIs).
 */
export async function pauseDemoTenants(store: TenantStore): Promise<void> {
  for (const tenant of await store.listTenants()) {
    if (tenant.demo && !tenant.settings.paused) await store.pauseTenant(tenant.settings.tenantId);
  }
}

/**
 * Starts and seeds both simulators and (re)writes the demo tenant. The simulators keep their state in
 * memory, so each start seeds them afresh; returns already finished live on in Temporal.
 */
export async function startDemoSandbox(options: {
  store: TenantStore;
  host: string;
  finalePort: number;
  loopPort: number;
}): Promise<DemoSandbox> {
  const finale = await startFinaleSimulator({ host: options.host, port: options.finalePort });
  let loop: LoopSimulator | undefined;
  try {
    loop = await startLoopSimulator({ host: options.host, port: options.loopPort });
    await seedDemoWorld({
      finale: finale.state,
      loop: loop.state,
      store: options.store,
      settings: demoTimings,
    });
    // Marked only here, never by onboarding: the mark is what keeps its public credentials off real APIs.
    await options.store.markDemo(demoTenantId);
    await options.store.resumeTenant(demoTenantId);
    for (const order of demoOrders) {
      finale.state.seedOrder(demoFinaleAccount.name, {
        orderId: order.orderId,
        items: order.productIds.map((productId) => ({ productId, quantity: 1 })),
      });
    }
  } catch (error) {
    await Promise.all([finale.close(), loop?.close()]);
    throw error;
  }
  const loopSim = loop;
  return {
    finale,
    loop: loopSim,
    endpoints: { finaleBaseUrl: finale.url, loopBaseUrl: loopSim.apiBaseUrl },
    subscribeWebhooks(webhookUrl) {
      for (const trigger of ['return.created', 'return.updated', 'return.closed'] as const) {
        loopSim.state.seedWebhook({ topic: 'return', trigger, url: webhookUrl, status: 'active' });
      }
    },
    close: async () => {
      await Promise.all([finale.close(), loopSim.close()]);
    },
  };
}
