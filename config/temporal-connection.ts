// Connection settings for every process that talks to Temporal (gateway, worker, npm start, CLI), so a
// Temporal Cloud or TLS cluster is configured once, through the environment.
import { readFileSync } from 'node:fs';
import { StartupError } from '../startup/startup-error.ts';
import type { Env } from './env.ts';

export type TemporalConnectionEnv = Pick<
  Env,
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
>;

export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** The `tls` and `apiKey` options `Connection.connect` and `NativeConnection.connect` both accept. */
export interface TemporalConnectionOptions {
  tls?: TemporalTls | true;
  apiKey?: string;
}

function readPem(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(`Cannot read the Temporal ${what} at ${file}: ${reason}`, { cause: error });
  }
}

/**
 * TLS is on when asked for, or when an API key or a client certificate is given (Temporal Cloud accepts
 * neither over plain text). Certificate files are read here, so a wrong path fails at start-up.
 */
export function temporalConnectionOptions(env: TemporalConnectionEnv): TemporalConnectionOptions {
  const certPath = env.TEMPORAL_TLS_CERT_PATH;
  const keyPath = env.TEMPORAL_TLS_KEY_PATH;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new StartupError('Set both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH for mTLS, or neither');
  }
  const tls: TemporalTls = {
    ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
    ...(env.TEMPORAL_TLS_CA_PATH
      ? { serverRootCACertificate: readPem('CA certificate', env.TEMPORAL_TLS_CA_PATH) }
      : {}),
    ...(certPath && keyPath
      ? {
          clientCertPair: {
            crt: readPem('client certificate', certPath),
            key: readPem('client key', keyPath),
          },
        }
      : {}),
  };
  const tlsOn =
    env.TEMPORAL_TLS === true || env.TEMPORAL_API_KEY !== undefined || Object.keys(tls).length > 0;
  return {
    ...(tlsOn ? { tls: Object.keys(tls).length > 0 ? tls : true } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}
