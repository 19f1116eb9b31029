import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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
}

/** Runs a command in its own process group, the way a terminal runs a foreground job. */
export function spawnCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): SpawnedCommand {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = output.match(pattern);
        if (match) return match;
        if (child.exitCode !== null) break;
        await delay(100);
      }
      throw new Error(`Timed out waiting for ${pattern}; output so far:\n${output}`);
    },
    async interrupt(timeoutMs) {
      if (child.pid === undefined) return null;
      process.kill(-child.pid, 'SIGINT');
      return Promise.race([exited, delay(timeoutMs).then(() => Promise.reject(new Error('did not exit')))]);
    },
  };
}
