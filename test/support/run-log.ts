// Writes the Temporal SDK's log entries into this test run's log file (see test/setup/run-log.ts), tagged
// with the test that was running, so a failure can be matched to what the SDK said at the time. Used as
// the log function of a `DefaultLogger`.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import type { LogEntry } from '@temporalio/worker';
import { expect, inject } from 'vitest';

export function writeRunLog({ level, message, meta, timestampNanos }: LogEntry): void {
  const { testPath, currentTestName } = expect.getState();
  const where = [testPath && path.relative(process.cwd(), testPath), currentTestName].filter(Boolean);
  const at = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const details = meta ? ` ${inspect(meta, { breakLength: Infinity })}` : '';
  appendFileSync(inject('runLogFile'), `${at} ${level} [${where.join(' > ')}] ${message}${details}\n`);
}
