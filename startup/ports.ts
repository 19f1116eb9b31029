// Every port the service listens on, the setting that moves it, and a check, before anything starts, that
// each is free. A port in use is reported with its setting and with who seems to hold it: another
// instance of this service (its gateway or worker answers there), a Temporal server, or another program.
import http from 'node:http';
import net from 'node:net';
import type { Env } from '../config/env.ts';
import { serviceName } from '../gateway/routes/health.ts';
import { waitForTemporal } from '../temporal/wait-for-temporal.ts';
import { StartupError } from './startup-error.ts';

/** Who answers on a port in use, when it can be told. */
export interface Holder {
  /** What answers, e.g. "a loop-finale-bridge gateway answers there". */
  what: string;
  /** True when it is an instance of this service. */
  ours: boolean;
  /** What else the operator can do, e.g. use the Temporal server that answers. */
  hint?: string;
}

export interface Listener {
  /** What would listen, as the operator knows it, e.g. "the gateway". */
  name: string;
  /** The setting that moves it, e.g. GATEWAY_PORT. */
  setting: string;
  host: string;
  port: number;
  /** Asks whatever answers on the port what it is; undefined when it does not answer like anything known. */
  identify?: (host: string, port: number) => Promise<Holder | undefined>;
}

const PROBE_TIMEOUT_MS = 2_000;

/** Where this machine reaches a server bound to `host` (a wildcard bind is reached on loopback). */
export const reachableHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
const origin = (host: string, port: number) => {
  const reachable = reachableHost(host);
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
};

/**
 * A GET that always settles within the timeout. Not fetch: on Node 20 a fetch whose connection is reset
 * before any answer (a busy port's owner that closes connections) can hang with nothing keeping the
 * process alive, which ends it with an unsettled top-level await.
 */
function get(url: string): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: PROBE_TIMEOUT_MS }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** The gateway's /healthz names the service: nothing else answers like that. */
async function gatewayAnswers(host: string, port: number): Promise<Holder | undefined> {
  const answer = await get(`${origin(host, port)}/healthz`);
  try {
    const body = JSON.parse(answer?.text ?? '') as { service?: unknown };
    if (body.service === serviceName)
      return { ours: true, what: 'a loop-finale-bridge gateway answers there' };
  } catch {
    // Not JSON: not our gateway.
  }
  return undefined;
}

async function temporalAnswers(host: string, port: number): Promise<Holder | undefined> {
  const address = `${reachableHost(host)}:${port}`;
  try {
    const connection = await waitForTemporal(address, { timeoutMs: PROBE_TIMEOUT_MS });
    await connection.close();
    return {
      ours: false,
      what: 'a Temporal server answers there (another npm start’s, or one started by hand)',
      hint: `to use that server instead of starting one, set TEMPORAL_ADDRESS=${address}`,
    };
  } catch {
    return undefined;
  }
}

const metricsAnswer =
  (pattern: RegExp, holder: Holder) =>
  async (host: string, port: number): Promise<Holder | undefined> => {
    const answer = await get(`${origin(host, port)}/metrics`);
    return answer?.status === 200 && pattern.test(answer.text) ? holder : undefined;
  };

function hostPort(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  return { host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
}

/** The service's listeners, each built from the environment the process runs with. */
export const listeners = {
  gateway: (env: Pick<Env, 'GATEWAY_HOST' | 'GATEWAY_PORT'>): Listener => ({
    name: 'the gateway',
    setting: 'GATEWAY_PORT',
    host: env.GATEWAY_HOST,
    port: env.GATEWAY_PORT,
    identify: gatewayAnswers,
  }),
  temporalDevServer: (env: Pick<Env, 'TEMPORAL_DEV_PORT'>): Listener => ({
    name: 'the Temporal dev server',
    setting: 'TEMPORAL_DEV_PORT',
    host: '127.0.0.1',
    port: env.TEMPORAL_DEV_PORT,
    identify: temporalAnswers,
  }),
  temporalWebUi: (env: Pick<Env, 'TEMPORAL_UI_PORT'>): Listener => ({
    name: 'the Temporal Web UI',
    setting: 'TEMPORAL_UI_PORT',
    host: '127.0.0.1',
    port: env.TEMPORAL_UI_PORT,
  }),
  /** Undefined when TEMPORAL_METRICS_ADDRESS is off. */
  sdkMetrics: (env: Pick<Env, 'TEMPORAL_METRICS_ADDRESS'>): Listener | undefined =>
    env.TEMPORAL_METRICS_ADDRESS === undefined
      ? undefined
      : {
          name: 'the Temporal SDK metrics exporter',
          setting: 'TEMPORAL_METRICS_ADDRESS',
          ...hostPort(env.TEMPORAL_METRICS_ADDRESS),
          identify: metricsAnswer(/^(?:# (?:HELP|TYPE) )?temporal_/m, {
            ours: false,
            what: 'Temporal SDK metrics are served there (by a worker: another npm start, or a worker process)',
            hint: 'TEMPORAL_METRICS_ADDRESS=off turns these metrics off',
          }),
        },
  /** Undefined when WORKER_METRICS_ADDRESS is off. */
  workerMetrics: (env: Pick<Env, 'WORKER_METRICS_ADDRESS'>): Listener | undefined =>
    env.WORKER_METRICS_ADDRESS === undefined
      ? undefined
      : {
          name: 'the worker’s metrics endpoint',
          setting: 'WORKER_METRICS_ADDRESS',
          ...hostPort(env.WORKER_METRICS_ADDRESS),
          identify: metricsAnswer(/^(?:# (?:HELP|TYPE) )?loop_finale_/m, {
            ours: true,
            what: 'another worker of this service serves its metrics there',
            hint: 'WORKER_METRICS_ADDRESS=off turns these metrics off',
          }),
        },
  /** Undefined when GATEWAY_METRICS_ADDRESS is unset (metrics on the gateway's own port). */
  gatewayMetrics: (env: Pick<Env, 'GATEWAY_METRICS_ADDRESS'>): Listener | undefined =>
    env.GATEWAY_METRICS_ADDRESS === undefined
      ? undefined
      : {
          name: 'the gateway’s metrics endpoint',
          setting: 'GATEWAY_METRICS_ADDRESS',
          ...hostPort(env.GATEWAY_METRICS_ADDRESS),
          identify: metricsAnswer(/^(?:# (?:HELP|TYPE) )?loop_finale_/m, {
            ours: true,
            what: 'another gateway of this service serves its metrics there',
          }),
        },
  finaleSimulator: (env: Pick<Env, 'FINALE_SIM_PORT'>): Listener => ({
    name: 'the Finale simulator (demo mode)',
    setting: 'FINALE_SIM_PORT',
    host: '127.0.0.1',
    port: env.FINALE_SIM_PORT,
  }),
  loopSimulator: (env: Pick<Env, 'LOOP_SIM_PORT'>): Listener => ({
    name: 'the Loop simulator (demo mode)',
    setting: 'LOOP_SIM_PORT',
    host: '127.0.0.1',
    port: env.LOOP_SIM_PORT,
  }),
};

/** Why the port cannot be listened on (EADDRINUSE, EACCES…), or undefined when it is free. */
function listenProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

interface Blocked {
  listener: Listener;
  problem: string;
  holder?: Holder;
}

/** Some ports cannot be listened on: each with its setting, who seems to hold it, and what to do. */
export class PortsInUseError extends StartupError {
  override name = 'PortsInUseError';
  constructor(readonly blocked: Blocked[]) {
    const ourInstance = blocked.some(({ holder }) => holder?.ours);
    const one = blocked.length === 1;
    const lines = blocked.map(({ listener, problem, holder }) => {
      const where = `${listener.host}:${listener.port} (${listener.setting}), for ${listener.name}`;
      if (problem !== 'EADDRINUSE') return `  - ${where}: cannot listen there (${problem}).`;
      const who = holder
        ? `${holder.what}${holder.hint ? `; ${holder.hint}` : ''}`
        : ourInstance
          ? 'in use (nothing there answers like this service: probably that same instance, or another program)'
          : 'in use by another program (nothing there answers like this service)';
      return `  - ${where}: ${who}.`;
    });
    const settings = one ? 'the setting named above' : 'the settings named above';
    const next = ourInstance
      ? `Another instance of this service is running: stop it first (Ctrl-C in its terminal), or move this one with ${settings}.`
      : `Free ${one ? 'it' : 'them'}, or move this service with ${settings}.`;
    const count = one
      ? 'A port this service needs is taken'
      : `${blocked.length} ports this service needs are taken`;
    super(`${count}:\n${lines.join('\n')}\n${next}`);
  }
}

/**
 * Checks that every listener's port can be listened on, before anything starts, so a port in use is
 * reported as such instead of as whatever failure the first component to bind it produces (the Temporal
 * SDK's metrics exporter would die with a native stack trace). Port 0 (any free port) is never checked.
 */
export async function assertPortsFree(candidates: (Listener | undefined)[]): Promise<void> {
  const wanted = candidates.filter(
    (listener): listener is Listener => listener !== undefined && listener.port !== 0,
  );
  const blocked: Blocked[] = [];
  for (const listener of wanted) {
    const problem = await listenProblem(listener.host, listener.port);
    if (problem !== undefined) blocked.push({ listener, problem });
  }
  await Promise.all(
    blocked.map(async (entry) => {
      if (entry.problem === 'EADDRINUSE') {
        entry.holder = await entry.listener.identify?.(entry.listener.host, entry.listener.port);
      }
    }),
  );
  if (blocked.length > 0) throw new PortsInUseError(blocked);
}

/**
 * Runs `listen`; when it fails because a port was taken since the check (npm start takes a while to get
 * from its check to its gateway), the failure is reported as the check reports it.
 */
export async function listenChecked<T>(
  candidates: (Listener | undefined)[],
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') await assertPortsFree(candidates);
    throw error;
  }
}
