import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { resolveTemporalCli } from './binaries.ts';
import { StartupError } from '../startup/startup-error.ts';
import { registerSearchAttributes } from './register-search-attributes.ts';
import { waitForTemporal } from './wait-for-temporal.ts';

export interface DevServerOptions {
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number;
  /** SQLite file to persist to; `undefined` keeps everything in memory. */
  dbFile?: string;
  /** SQLite pragmas for that file, e.g. `journal_mode=wal`. */
  sqlitePragmas?: string[];
  namespace?: string;
  /** How long to wait for the frontend to answer; generous because a cold SQLite migration is slow on CI. */
  readyTimeoutMs?: number;
  onOutput?: (line: string) => void;
  /** Server settings beyond the defaults, e.g. `{ 'history.transferProcessorUpdateAckInterval': '1s' }`. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /**
   * Run it in a process group of its own, so a Ctrl-C meant for the parent does not reach it: the parent
   * stops it once its worker has drained (npm start). It is still killed when the parent exits.
   */
  ownProcessGroup?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number;
  stop: () => Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `temporal server start-dev` from the resolved CLI, waits until it answers and registers the
 * project's search attributes. We spawn it ourselves (rather than through @temporalio/testing) to get a
 * readiness window longer than the SDK's hard-coded 5 s and to share one code path with `npm start`.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const pragma of options.sqlitePragmas ?? []) args.push('--sqlite-pragma', pragma);
  }
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');

  const child = spawn(resolveTemporalCli(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  // Outside the parent's group, nothing else would stop it should the parent exit without stop().
  const killOnExit = () => child.kill('SIGKILL');
  if (options.ownProcessGroup) {
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
  }
  // The last lines it printed say why, should it exit before answering.
  const recent: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 5) recent.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 10_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };

  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    const connection = await Promise.race([
      waitForTemporal(address, { timeoutMs: options.readyTimeoutMs ?? 60_000, isAlive: alive }),
      spawnError,
    ]);
    try {
      await registerSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
  } catch (error) {
    const exited = !alive();
    await stop();
    if (exited) {
      const output = recent.length > 0 ? ` Its last output:\n    ${recent.join('\n    ')}` : '';
      throw new StartupError(`The Temporal dev server exited with code ${child.exitCode}.${output}`, {
        cause: error,
      });
    }
    throw error;
  }

  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    pid: child.pid ?? -1,
    stop,
  };
}
