// The operators' CLI: `npm run cli -- <command>` (or the `loop-finale` bin). Tenant, invite and return
// operations go through the gateway's admin API; history commands talk to Temporal or replay locally.
import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.ts';
import { registerHistoryCommands } from './commands/history.ts';
import { registerInviteCommands } from './commands/invite.ts';
import { registerReturnCommands } from './commands/return.ts';
import { registerTenantCommands } from './commands/tenants.ts';
import { CliError, exitCodes } from './errors.ts';
import { line, processIo, type CliIo } from './io.ts';
import { resolveSettings, type GlobalFlags } from './settings.ts';

export function buildProgram(io: CliIo, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('loop-finale')
    .description(
      'Operate the Loop Returns → Finale Inventory bridge: tenants, onboarding links, returns, workflow ' +
        'histories, and a demo run against npm start.',
    )
    .option(
      '--gateway-url <url>',
      'gateway base URL (default: GATEWAY_URL, else http://GATEWAY_HOST:GATEWAY_PORT)',
    )
    .option(
      '--data-dir <dir>',
      "npm start's data folder, where its admin token is kept (default: DATA_DIR or .data)",
    )
    .option(
      '--temporal-address <host:port>',
      'Temporal frontend for history commands (default: TEMPORAL_ADDRESS, else the embedded dev server)',
    )
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or "default")')
    .addHelpText(
      'after',
      '\nThe admin token comes from ADMIN_TOKEN, else from <data-dir>/admin-token (written by npm start).\n' +
        'Exit codes: 0 done, 1 the operation failed or was refused, 2 bad usage, configuration or connection.',
    )
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  const context = {
    io,
    settings: (command: Command) => resolveSettings(command.optsWithGlobals<GlobalFlags>(), env),
  };
  registerInviteCommands(program, context);
  registerTenantCommands(program, context);
  registerReturnCommands(program, context);
  registerHistoryCommands(program, context);
  registerDemoCommand(program, context);
  // Subcommands report usage errors the same way as the root.
  for (const command of program.commands) {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
    for (const sub of command.commands) {
      sub.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
    }
  }
  return program;
}

/** Runs the CLI and returns its exit code instead of exiting, so tests can run it in-process. */
export async function runCli(
  args: string[],
  io: CliIo = processIo,
  env?: NodeJS.ProcessEnv,
): Promise<number> {
  const program = buildProgram(io, env);
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander only because of exitOverride.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof CliError) {
      line(io.err, `Error: ${error.message}`);
      return error.exitCode;
    }
    line(
      io.err,
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return exitCodes.failed;
  }
}
