import type { Command } from 'commander';
import { AdminApi } from '../admin-api.ts';
import { line } from '../io.ts';
import { adminToken } from '../settings.ts';
import { positiveInt, type CommandContext } from './context.ts';

export function registerInviteCommands(program: Command, context: CommandContext): void {
  const invite = program.command('invite').description('Onboarding links for merchants');
  invite
    .command('create')
    .description(
      'Create a single-use onboarding link for a merchant, through the gateway admin API: to set up a new ' +
        'store, or with --tenant to change a connected one',
    )
    .option(
      '--tenant <id>',
      'make a link that changes this connected tenant (the merchant types the Loop key and webhook secret again)',
    )
    .option('--note <text>', 'who or what the link is for (shown in the invite list)')
    .option('--ttl-hours <hours>', 'hours until the link expires (default: the gateway default)', positiveInt)
    .option('--json', 'print the invite as JSON')
    .action(
      async (
        options: { tenant?: string; note?: string; ttlHours?: number; json?: boolean },
        command: Command,
      ) => {
        const settings = context.settings(command);
        const api = new AdminApi(settings.gatewayUrl, await adminToken(settings));
        const created = await api.createInvite({
          ...(options.tenant ? { tenantId: options.tenant } : {}),
          ...(options.note ? { note: options.note } : {}),
          ...(options.ttlHours ? { ttlHours: options.ttlHours } : {}),
        });
        if (options.json) return line(context.io.out, JSON.stringify(created, null, 2));
        const purpose = options.tenant ? ` to change tenant "${options.tenant}"` : '';
        line(context.io.out, `Onboarding link${purpose} (single use, expires ${created.expiresAt}):`);
        line(context.io.out, `  ${created.url}`);
        line(context.io.out, 'Send it to the merchant; it is shown only this once.');
      },
    );
}
