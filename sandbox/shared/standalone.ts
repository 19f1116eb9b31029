import type { RunningSimulator } from './server.ts';

/** A `--port` value, or exit 2 with the reason. */
export function portArgument(value: string | undefined): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port must be a port number, got "${value}"\n`);
    process.exit(2);
  }
  return port;
}

/** Stops the simulator cleanly on SIGINT or SIGTERM. */
export function closeOnSignals(simulator: RunningSimulator<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void simulator.close().then(() => process.exit(0));
    });
  }
}
