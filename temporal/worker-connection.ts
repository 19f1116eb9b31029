import { NativeConnection } from '@temporalio/worker';
import { temporalConnectionOptions, type TemporalConnectionEnv } from '../config/temporal-connection.ts';

/**
 * The worker's own (native) connection, with the same TLS / API key settings as the client's. Kept apart
 * from temporal/client.ts so the CLI and the gateway never load the worker's native runtime.
 */
export const connectWorkerConnection = (address: string, env: TemporalConnectionEnv) =>
  NativeConnection.connect({ address, ...temporalConnectionOptions(env) });
