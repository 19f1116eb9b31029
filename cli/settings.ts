// Where the CLI finds the service: flags first, then the same environment variables the service reads
// (config/env.ts), then what `npm start` leaves in DATA_DIR (the admin token).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseEnv, type Env } from '../config/env.ts';
import { adminTokenPath } from '../scripts/start/local-credentials.ts';
import { CliError, exitCodes } from './errors.ts';

/** Flags every command accepts (defined on the root program). */
export interface GlobalFlags {
  gatewayUrl?: string;
  dataDir?: string;
  temporalAddress?: string;
  namespace?: string;
}

export interface CliSettings {
  env: Env;
  gatewayUrl: string;
  dataDir: string;
  temporalAddress: string;
  namespace: string;
  /** The embedded dev server's Web UI, for links; undefined against an external cluster. */
  webUiUrl: string | undefined;
}

const loopback = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

export function resolveSettings(flags: GlobalFlags, source: NodeJS.ProcessEnv = process.env): CliSettings {
  let env: Env;
  try {
    env = parseEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.usage);
    throw error;
  }
  const gatewayUrl = (
    flags.gatewayUrl ??
    env.GATEWAY_URL ??
    `http://${loopback(env.GATEWAY_HOST)}:${env.GATEWAY_PORT}`
  ).replace(/\/+$/, '');
  const external = flags.temporalAddress ?? env.TEMPORAL_ADDRESS;
  return {
    env,
    gatewayUrl,
    dataDir: flags.dataDir ?? env.DATA_DIR,
    temporalAddress: external ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`,
    namespace: flags.namespace ?? env.TEMPORAL_NAMESPACE,
    webUiUrl: external ? env.TEMPORAL_UI_URL : `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
  };
}

/** ADMIN_TOKEN, else the token `npm start` generated into DATA_DIR. */
export async function adminToken(settings: CliSettings): Promise<string> {
  if (settings.env.ADMIN_TOKEN) return settings.env.ADMIN_TOKEN;
  const file = adminTokenPath(settings.dataDir);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  throw new CliError(
    `No admin token: set ADMIN_TOKEN, or run this where npm start keeps its data (${path.resolve(file)} ` +
      'is missing; pass --data-dir if npm start uses another DATA_DIR)',
    exitCodes.usage,
  );
}

/** The Web UI page of one workflow. */
export const workflowUiUrl = (settings: CliSettings, workflowId: string) =>
  settings.webUiUrl
    ? `${settings.webUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`
    : undefined;
