import type { Client } from '@temporalio/client';
import { connectTemporalClient } from '../temporal/client.ts';
import { TemporalUnreachableError } from '../temporal/wait-for-temporal.ts';
import { CliError, exitCodes } from './errors.ts';
import type { CliSettings } from './settings.ts';

/** How long a command waits for Temporal before saying it cannot reach it. */
const WAIT_MS = 3_000;

/** Runs `work` with a Temporal client, reporting an unreachable server as something to act on. */
export async function withTemporalClient<T>(
  settings: CliSettings,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  let client: Client;
  try {
    client = await connectTemporalClient({
      address: settings.temporalAddress,
      env: settings.env,
      namespace: settings.namespace,
      waitMs: WAIT_MS,
    });
  } catch (error) {
    const reason =
      error instanceof TemporalUnreachableError
        ? error.reason
        : error instanceof Error
          ? error.message
          : String(error);
    throw new CliError(
      `Cannot reach Temporal at ${settings.temporalAddress} (${reason}). Is npm start running? ` +
        'For another cluster pass --temporal-address or set TEMPORAL_ADDRESS (and its TLS / API key settings).',
      exitCodes.usage,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}
