// Writes lines into this test run's log file (see test/setup/run-log.ts), tagged with the test that was
// running, so a failure can be matched to what the SDK said at the time.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { expect, inject } from 'vitest';

export function writeRunLog(level: string, message: string, meta?: LogMetadata): void {
  const { testPath, currentTestName } = expect.getState();
  const where = [testPath && path.relative(process.cwd(), testPath), currentTestName].filter(Boolean);
  // Symbol keys (the SDK's timestamp) are dropped: the line has its own.
  const fields = Object.entries(meta ?? {});
  const details =
    fields.length > 0 ? ` ${inspect(Object.fromEntries(fields), { breakLength: Infinity })}` : '';
  appendFileSync(
    inject('runLogFile'),
    `${new Date().toISOString()} ${level} [${where.join(' > ')}] ${message}${details}\n`,
  );
}

const quiet: LogLevel[] = ['TRACE', 'DEBUG'];

function log(level: LogLevel, message: string, meta?: LogMetadata): void {
  if (!quiet.includes(level)) writeRunLog(level, message, meta);
}

/** A Temporal SDK logger into the run's log file, INFO and above. */
export const runLogger: Logger = {
  log,
  trace: (message, meta) => log('TRACE', message, meta),
  debug: (message, meta) => log('DEBUG', message, meta),
  info: (message, meta) => log('INFO', message, meta),
  warn: (message, meta) => log('WARN', message, meta),
  error: (message, meta) => log('ERROR', message, meta),
};
