// What goes wrong during a soak, and when: faults in both simulators on the calls that change things, webhooks
// lost, repeated and reordered by Loop, 429 bursts, worker processes killed, the Temporal server and the
// gateway restarted. The moments are random within the chaos window.
import type { SimControl } from './sim-control.ts';
import type { Stack } from './stack.ts';

export interface ChaosPlan {
  windowMs: number;
  workerKills: number;
  temporalRestarts: number;
  gatewayRestarts: number;
  rateLimitBursts: number;
}

export type ChaosEvent =
  | { atMs: number; kind: 'kill-worker'; worker: number }
  | { atMs: number; kind: 'restart-temporal' }
  | { atMs: number; kind: 'restart-gateway' }
  | { atMs: number; kind: 'rate-limit-burst' };

export interface ChaosRecord {
  event: ChaosEvent;
  startedMs: number;
  tookMs: number;
}

/** Finale's create and Loop's process: the calls whose answer can be lost after they took effect. */
export const FINALE_CREATE = 'POST /:account/api/return';
export const LOOP_PROCESS = 'POST /warehouse/return/:id/process';

const between = (from: number, to: number) => from + Math.random() * (to - from);

/**
 * The events of a plan at random moments of the window's first three quarters (a restarted process takes a
 * while to come back, and the window should end with everything up): Temporal restarts in its middle.
 */
export function planChaos(plan: ChaosPlan, workers: number): ChaosEvent[] {
  const w = plan.windowMs;
  const events: ChaosEvent[] = [
    ...Array.from({ length: plan.workerKills }, () => ({
      atMs: between(0.05 * w, 0.75 * w),
      kind: 'kill-worker' as const,
      worker: Math.floor(Math.random() * workers),
    })),
    ...Array.from({ length: plan.temporalRestarts }, () => ({
      atMs: between(0.25 * w, 0.55 * w),
      kind: 'restart-temporal' as const,
    })),
    ...Array.from({ length: plan.gatewayRestarts }, () => ({
      atMs: between(0.05 * w, 0.75 * w),
      kind: 'restart-gateway' as const,
    })),
    ...Array.from({ length: plan.rateLimitBursts }, () => ({
      atMs: between(0.05 * w, 0.75 * w),
      kind: 'rate-limit-burst' as const,
    })),
  ];
  return events.sort((a, b) => a.atMs - b.atMs);
}

/** The faults of the chaos window on one call: 20% 5xx, latency, dropped connections, apply-then-drop. */
const faultsOn = (endpoint: string) => [
  { kind: 'latency', ms: 1_500, probability: 0.1, endpoint },
  { kind: 'server-error', status: 503, probability: 0.2, endpoint },
  { kind: 'drop', probability: 0.05, endpoint },
  { kind: 'apply-then-drop', probability: 0.05, endpoint },
];

/** Webhooks during the chaos window: 5% lost, 10% made twice, each delayed up to 2 s (so out of order). */
const chaoticDelivery = { loseRate: 0.05, duplicateRate: 0.1, maxJitterMs: 2_000 };
const calmDelivery = { loseRate: 0, duplicateRate: 0, maxJitterMs: 0 };

export async function startFaults(sims: { finale: SimControl; loop: SimControl }): Promise<void> {
  for (const fault of faultsOn(FINALE_CREATE)) await sims.finale.post('/faults', fault);
  for (const fault of faultsOn(LOOP_PROCESS)) await sims.loop.post('/faults', fault);
  await sims.loop.patch('/settings', { delivery: chaoticDelivery });
}

export async function stopFaults(sims: { finale: SimControl; loop: SimControl }): Promise<void> {
  await sims.finale.delete('/faults');
  await sims.loop.delete('/faults');
  await sims.loop.patch('/settings', { delivery: calmDelivery });
}

/** Ten calls in a row answered 429 on each API's changing call, with a 2-second reset. */
async function rateLimitBurst(sims: { finale: SimControl; loop: SimControl }): Promise<void> {
  await sims.finale.post('/faults', {
    kind: 'rate-limit',
    count: 10,
    resetInMs: 2_000,
    resetUnit: 'milliseconds',
    endpoint: FINALE_CREATE,
  });
  await sims.loop.post('/faults', { kind: 'rate-limit', count: 10, retryAfter: '2', endpoint: LOOP_PROCESS });
}

/**
 * Carries out the events at their moments from `startedAt`. Events do not wait for each other, except that
 * an event on a process still coming back from the previous one waits for it (each worker, the gateway and
 * the Temporal server are one queue each). Resolves with what was done and how long each took.
 */
export async function runChaos(
  stack: Stack,
  events: ChaosEvent[],
  startedAt: number,
  say: (line: string) => void,
): Promise<ChaosRecord[]> {
  const records: ChaosRecord[] = [];
  const queues = new Map<string, Promise<void>>();
  const target = (event: ChaosEvent) =>
    event.kind === 'kill-worker' ? `worker-${event.worker}` : event.kind;
  const carryOut = async (event: ChaosEvent) => {
    const began = Date.now();
    switch (event.kind) {
      case 'kill-worker':
        await stack.crashWorker(event.worker);
        break;
      case 'restart-temporal':
        await stack.restartTemporal();
        break;
      case 'restart-gateway':
        await stack.restartGateway();
        break;
      case 'rate-limit-burst':
        await rateLimitBurst(stack);
        break;
    }
    const record = { event, startedMs: began - startedAt, tookMs: Date.now() - began };
    records.push(record);
    say(
      `  t=${(record.startedMs / 1000).toFixed(0)} s ${event.kind}` +
        `${event.kind === 'kill-worker' ? ` (worker ${event.worker + 1})` : ''}: back in ${(record.tookMs / 1000).toFixed(1)} s`,
    );
  };
  for (const event of events) {
    const wait = startedAt + event.atMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const key = target(event);
    queues.set(
      key,
      (queues.get(key) ?? Promise.resolve()).then(() => carryOut(event)),
    );
  }
  await Promise.all(queues.values());
  return records.sort((a, b) => a.startedMs - b.startedMs);
}
