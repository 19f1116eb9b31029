import { LoopClient, type LoopClientOptions } from '../../../../integrations/loop/client.ts';
import { ApiBudgets } from '../../../../integrations/rate-limiter.ts';
import { memoryTokenBuckets } from '../../../../integrations/token-buckets.ts';
import type { SettingsPatch } from '../../../../sandbox/loop/control-schemas.ts';
import { startLoopSimulator, type LoopSimulator } from '../../../../sandbox/loop/server.ts';

export const shop = {
  id: 1001,
  apiKey: 'loop-test-key-alpha',
  webhookSecret: 'loop-test-webhook-secret-alpha',
} as const;

/** Webhook retries in milliseconds instead of minutes, so delivery tests stay fast. */
export const fastDelivery = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100, timeoutMs: 300 } as const;

export const startTestSimulator = (settings: SettingsPatch = {}) =>
  startLoopSimulator({ settings: { ...settings, delivery: { ...fastDelivery, ...settings.delivery } } });

/** Resets the simulator to one shop with every scope and one warehouse destination. */
export async function resetWithShop(sim: LoopSimulator): Promise<void> {
  await sim.state.reset();
  sim.state.seedShop({ ...shop, name: 'Alpha Outfitters' });
  sim.state.seedDestination({ id: 7295, name: 'Main Warehouse', providerLocationId: 61_234_567 });
}

/** A client against the simulator with its own generous budget (the simulator enforces Loop's limit). */
export const clientFor = (sim: LoopSimulator, options: Partial<LoopClientOptions> = {}) =>
  new LoopClient({
    apiKey: shop.apiKey,
    baseUrl: sim.apiBaseUrl,
    budgets: new ApiBudgets({
      buckets: memoryTokenBuckets(),
      rules: { loop: { limit: 100_000, windowMs: 60_000 } },
      maxConcurrent: { loop: 50 },
    }),
    timeoutMs: 2_000,
    ...options,
  });

/** Raw HTTP against the simulator's Loop API, for checks the client would hide. */
export async function loopFetch(
  sim: LoopSimulator,
  path: string,
  init: { method?: string; key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers['x-authorization'] = init.key ?? shop.apiKey;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Catches the rejection of `promise` for assertions on its class and fields. */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
