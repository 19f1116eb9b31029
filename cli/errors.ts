/** Exit codes an operator or a script can branch on. */
export const exitCodes = {
  ok: 0,
  /** The operation ran and failed or was refused (nothing to retry, not found, non-deterministic, timeout). */
  failed: 1,
  /** The command could not run: bad arguments, missing configuration, or an unreachable service. */
  usage: 2,
} as const;

/** An error whose message tells the operator what to do; printed without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failed,
  ) {
    super(message);
  }
}
