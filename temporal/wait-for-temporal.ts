import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { StartupError } from '../startup/startup-error.ts';
import type { TemporalConnectionOptions } from '../config/temporal-connection.ts';

export interface WaitForTemporalOptions {
  timeoutMs: number;
  /** TLS and API key (config/temporal-connection.ts); none for a local dev server. */
  connectionOptions?: TemporalConnectionOptions;
  /** Stops waiting early, e.g. once the dev server process being waited for has exited. */
  isAlive?: () => boolean;
}

/** Temporal's frontend did not answer in time; the message says where it was looked for and why it failed. */
export class TemporalUnreachableError extends StartupError {
  override name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    readonly reason: string,
    timeoutMs: number,
  ) {
    super(`Temporal at ${address} did not answer within ${timeoutMs / 1000} s (${reason})`);
  }
}

/**
 * Connects to `address` and retries until its frontend answers `getSystemInfo`, or throws
 * TemporalUnreachableError after `timeoutMs`. Returns the answering connection, which the caller owns.
 */
export async function waitForTemporal(address: string, options: WaitForTemporalOptions): Promise<Connection> {
  const deadline = Date.now() + options.timeoutMs;
  const isAlive = options.isAlive ?? (() => true);
  let lastError: unknown;
  do {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({
        address,
        connectTimeout: Math.min(2_000, Math.max(deadline - Date.now(), 100)),
        ...options.connectionOptions,
      });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (error) {
      lastError = error;
      await connection?.close();
      if (Date.now() < deadline) await delay(200);
    }
  } while (Date.now() < deadline && isAlive());
  const reason = !isAlive()
    ? 'the process exited'
    : lastError instanceof Error
      ? lastError.message
      : String(lastError);
  throw new TemporalUnreachableError(address, reason, options.timeoutMs);
}
