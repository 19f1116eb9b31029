import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** PIDs still alive in a process group (empty once every member has exited). */
export function processGroupMembers(pgid: number): number[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits non-zero when the group is empty
  }
}

export interface SpawnedCommand {
  child: ChildProcess;
  output: () => string;
  waitForOutput: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
  /** Sends SIGINT to the whole process group, as Ctrl-C in a terminal does, and waits for the leader to exit. */
  interrupt: (timeoutMs: number) => Promise<number | null>;
  /** Sends a signal to the whole process group (nothing once the leader has exited). */
  signal: (signal: NodeJS.Signals) => void;
  /** Settles when the leader exits, with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  /** Also write everything the command prints to this file; `output()` then keeps only the last 64 KiB. */
  logFile?: string;
}

const TAIL_CHARS = 64 * 1024;

/** Runs a command in its own process group, the way a terminal runs a foreground job. */
export function spawnCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: SpawnOptions = {},
): SpawnedCommand {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (log) {
      log.write(chunk);
      if (output.length > 2 * TAIL_CHARS) output = output.slice(-TAIL_CHARS);
    }
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      log?.end();
      resolve(code);
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;

  return {
    child,
    exited,
    output: () => output,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = output.match(pattern);
        if (match) return match;
        if (!running()) break;
        await delay(100);
      }
      throw new Error(`Timed out waiting for ${pattern}; output so far:\n${output}`);
    },
    async interrupt(timeoutMs) {
      if (child.pid === undefined) return null;
      process.kill(-child.pid, 'SIGINT');
      return Promise.race([exited, delay(timeoutMs).then(() => Promise.reject(new Error('did not exit')))]);
    },
    signal(signal) {
      if (child.pid === undefined || !running()) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
