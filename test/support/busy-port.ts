import { execFile } from 'node:child_process';
import net from 'node:net';

/** A port held by a plain TCP listener that never answers: "another program" to the service. */
export async function occupyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs a command to its end: its exit code and everything it printed (stdout, then stderr). */
export function runToExit(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: options.env, cwd: options.cwd, timeout: options.timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** A line of a JavaScript stack trace, which an expected start-up failure must never print. */
export const stackLine = /^\s+at .+[(:]\d+/m;
