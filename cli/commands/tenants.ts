import type { Command } from 'commander';
import { AdminApi } from '../admin-api.ts';
import { formatTenants } from '../format.ts';
import { line } from '../io.ts';
import { adminToken } from '../settings.ts';
import type { CommandContext } from './context.ts';

export function registerTenantCommands(program: Command, context: CommandContext): void {
  const tenants = program.command('tenants').description('Merchants connected to the service');
  tenants
    .command('list')
    .description('List every tenant with its status, facility and completion settings')
    .option('--json', 'print the tenants as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const settings = context.settings(command);
      const list = await new AdminApi(settings.gatewayUrl, await adminToken(settings)).listTenants();
      if (options.json) return line(context.io.out, JSON.stringify(list, null, 2));
      context.io.out(formatTenants(list));
    });
}
