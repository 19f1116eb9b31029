// The one way a process gets a Temporal client: the connection's TLS / API key settings come from
// config/temporal-connection.ts, and the client carries the process's interceptors (tracing).
import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env.ts';
import { temporalConnectionOptions, type TemporalConnectionEnv } from '../config/temporal-connection.ts';
import type { Tracing } from '../observability/tracing.ts';
import { waitForTemporal } from './wait-for-temporal.ts';

export interface TemporalClientOptions {
  address: string;
  /** TLS / API key settings, and TEMPORAL_NAMESPACE. */
  env: TemporalConnectionEnv & Pick<Env, 'TEMPORAL_NAMESPACE'>;
  /** Replaces TEMPORAL_NAMESPACE (the CLI's --namespace). */
  namespace?: string;
  /** The process's tracing, so workflow starts and signals carry the trace context. */
  tracing?: Pick<Tracing, 'clientInterceptors'>;
}

const clientOn = (connection: Connection, options: TemporalClientOptions) =>
  new Client({
    connection,
    namespace: options.namespace ?? options.env.TEMPORAL_NAMESPACE,
    interceptors: { workflow: options.tracing?.clientInterceptors ?? [] },
  });

/** How long a starting process waits for Temporal: a cold dev server migrating its SQLite file is slow. */
const DEFAULT_WAIT_MS = 60_000;

/**
 * Waits until Temporal answers (up to `waitMs`, else TemporalUnreachableError), then returns a client on
 * that connection. Close it with `client.connection.close()`.
 */
export async function connectTemporalClient(
  options: TemporalClientOptions & { waitMs?: number },
): Promise<Client> {
  const connection = await waitForTemporal(options.address, {
    timeoutMs: options.waitMs ?? DEFAULT_WAIT_MS,
    connectionOptions: temporalConnectionOptions(options.env),
  });
  return clientOn(connection, options);
}

/**
 * A client whose connection opens on first use, for a process that must start while Temporal is still
 * coming up (the gateway: /readyz says when Temporal answers, webhooks get 503 until then).
 */
export function lazyTemporalClient(options: TemporalClientOptions): Client {
  const connection = Connection.lazy({ address: options.address, ...temporalConnectionOptions(options.env) });
  return clientOn(connection, options);
}
