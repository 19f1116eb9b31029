import { pino, type Logger, type LoggerOptions } from 'pino';
import { logContext } from './log-context.ts';

export type { Logger };

/**
 * Field names that may hold a credential anywhere in a log object. Values under these keys are replaced
 * before a line is written, whatever part of the code logged them.
 */
export const secretFieldNames = [
  'authorization',
  'Authorization',
  'x-authorization',
  'X-Authorization',
  'password',
  'secret',
  'apiKey',
  'apiSecret',
  'webhookSecret',
  'finaleApiKey',
  'finaleApiSecret',
  'loopApiKey',
  'loopWebhookSecret',
  'token',
  'cookie',
];

const redactPaths = secretFieldNames.flatMap((name) => [name, `*.${name}`, `*.*.${name}`, `*.*.*.${name}`]);

/**
 * The SDK logs failures under `error` ("Activity failed"): as a plain object only their enumerable fields
 * would show, not what failed. Only the name, message and stack are written: an error's other fields (an
 * HTTP error's request options, say) may hold credentials.
 */
const errorSummary = (value: unknown) =>
  value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;

export function createLogger(options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { error: errorSummary },
      // Lines written while an activity runs carry its tenant and Loop return ID (see log-context.ts).
      mixin: () => ({ ...logContext.getStore() }),
      ...options,
    },
    destination,
  );
}
