// The one way a process gets a Temporal client: the connection's TLS / API key settings come from
// config/temporal-connection.ts, and the client carries the process's interceptors (tracing).
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { temporalConnectionOptions, type TemporalConnectionEnv } from '../config/temporal-connection.ts';
import { waitForTemporal } from './wait-for-temporal.ts';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  env: TemporalConnectionEnv;
  /** Workflow client interceptors, e.g. tracing's, so starts and signals carry the trace context. */
  interceptors?: WorkflowClientInterceptor[];
}

const clientOn = (connection: Connection, options: TemporalClientOptions) =>
  new Client({
    connection,
    namespace: options.namespace,
    interceptors: { workflow: options.interceptors ?? [] },
  });

/**
 * Waits until Temporal answers (up to `waitMs`, else TemporalUnreachableError), then returns a client on
 * that connection. Close it with `client.connection.close()`.
 */
export async function connectTemporalClient(
  options: TemporalClientOptions & { waitMs: number },
): Promise<Client> {
  const connection = await waitForTemporal(options.address, {
    timeoutMs: options.waitMs,
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
