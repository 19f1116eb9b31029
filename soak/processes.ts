// Every child process of a soak or benchmark run: started in its own process group with its output in a log
// file, stopped in order at the end, and killed whatever happens to the run (an error, Ctrl-C, SIGTERM).
import path from 'node:path';
import { appendFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { projectRoot } from '../temporal/binaries.ts';
import { startDevServer, type DevServer, type DevServerOptions } from '../temporal/dev-server.ts';
import { spawnCommand, type SpawnedCommand } from '../test/support/processes.ts';

export interface ManagedProcess {
  name: string;
  pid: number;
  /** The last part of what it printed (all of it is in its log file). */
  output: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within the grace time. */
  stop: (graceMs?: number) => Promise<void>;
  /** SIGKILL, as a crash: nothing is drained. */
  kill: () => Promise<void>;
  exited: Promise<number | null>;
}

/** How long a process gets to print its ready line. Generous: the machine may be busy. */
const READY_TIMEOUT_MS = 180_000;

export class Processes {
  private readonly live = new Map<ManagedProcess, SpawnedCommand>();
  private readonly servers = new Set<DevServer>();
  private stopping: Promise<void> | undefined;

  constructor(
    /** Where each process's output goes, one `<name>.log` per process name. */
    readonly logDir: string,
  ) {}

  logFile = (name: string) => path.join(this.logDir, `${name}.log`);

  /** Starts a command and resolves once it prints `ready`; a process that exits first fails the start. */
  async start(
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    ready: RegExp,
  ): Promise<ManagedProcess> {
    appendFileSync(this.logFile(name), `\n--- ${new Date().toISOString()} start ${name}\n`);
    const spawned = spawnCommand(command, args, env, projectRoot, { logFile: this.logFile(name) });
    const managed: ManagedProcess = {
      name,
      pid: spawned.child.pid ?? -1,
      output: spawned.output,
      exited: spawned.exited,
      async stop(graceMs = 20_000) {
        spawned.signal('SIGTERM');
        const exited = await Promise.race([spawned.exited.then(() => true), delay(graceMs, false)]);
        if (!exited) await managed.kill();
      },
      async kill() {
        spawned.signal('SIGKILL');
        await spawned.exited;
      },
    };
    this.live.set(managed, spawned);
    void spawned.exited.then(() => this.live.delete(managed));
    try {
      await spawned.waitForOutput(ready, READY_TIMEOUT_MS);
    } catch (error) {
      await managed.kill();
      throw new Error(`${name} did not start (log: ${this.logFile(name)})`, { cause: error });
    }
    return managed;
  }

  /** A TypeScript entry point of this project, run with tsx. */
  node(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
    return this.start(name, process.execPath, ['--import', 'tsx', script, ...args], env, ready);
  }

  /** The Temporal CLI dev server, its output in `<name>.log`. */
  async temporal(name: string, options: DevServerOptions): Promise<DevServer> {
    const log = this.logFile(name);
    appendFileSync(log, `\n--- ${new Date().toISOString()} start ${name}\n`);
    const server = await startDevServer({ ...options, onOutput: (line) => appendFileSync(log, `${line}\n`) });
    this.servers.add(server);
    return {
      ...server,
      stop: async () => {
        await server.stop();
        this.servers.delete(server);
      },
    };
  }

  /** Stops every process still running: SIGTERM first, SIGKILL for any that outlast the grace time. */
  stopAll(graceMs = 15_000): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([...this.live.keys()].map((child) => child.stop(graceMs)));
      await Promise.all([...this.servers].map((server) => server.stop()));
    })();
    return this.stopping;
  }

  /** Synchronous last resort as this process exits: SIGKILL to every process group still alive. */
  killAllNow(): void {
    for (const spawned of this.live.values()) spawned.signal('SIGKILL');
    for (const server of this.servers) {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /**
   * Ctrl-C or SIGTERM stops every child before this process exits, and any exit at all kills those left.
   * Returns a function that removes the handlers.
   */
  killOnExit(): () => void {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping every process of the run …\n`);
      void this.stopAll(5_000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    const onExit = () => this.killAllNow();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('exit', onExit);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('exit', onExit);
    };
  }
}
