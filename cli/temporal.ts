import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { CliError, exitCodes } from './errors.ts';
import type { CliSettings } from './settings.ts';

/** Runs `work` with a Temporal client, reporting an unreachable server as something to act on. */
export async function withTemporalClient<T>(
  settings: CliSettings,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: settings.temporalAddress,
      connectTimeout: 3_000,
      ...temporalConnectionOptions(settings.env),
    });
    await connection.workflowService.getSystemInfo({});
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `Cannot reach Temporal at ${settings.temporalAddress} (${reason}). Is npm start running? ` +
        'For another cluster pass --temporal-address or set TEMPORAL_ADDRESS (and its TLS / API key settings).',
      exitCodes.usage,
    );
  }
  try {
    return await work(new Client({ connection, namespace: settings.namespace }));
  } finally {
    await connection.close();
  }
}
