// Expected reasons a process cannot start (a port in use, Temporal not answering, a bad setting) carry a
// message that says what to do; entry points print it alone, without a stack trace that would bury it.
import { ConfigError } from '../config/env.ts';
import { SecretKeyError } from '../store/secret-crypto.ts';

/** A start-up failure the operator can fix; its message names the cause and the setting to change. */
export class StartupError extends Error {
  override name = 'StartupError';
}

const expected = (error: unknown): error is Error =>
  error instanceof StartupError || error instanceof ConfigError || error instanceof SecretKeyError;

/**
 * How an entry point reports a failed start: an expected failure as its message only, anything else (a
 * bug) with its stack. Returns the text to print, so a caller that must clean up first can print it later.
 */
export const describeStartupFailure = (error: unknown): string =>
  expected(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);

/** Prints the failure and exits 1. */
export function exitOnStartupFailure(error: unknown): never {
  process.stderr.write(`Start-up failed: ${describeStartupFailure(error)}\n`);
  process.exit(1);
}
