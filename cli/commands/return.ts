import type { Command } from 'commander';
import { returnWorkflowId } from '../../workflows/ids.ts';
import { AdminApi, AdminApiError } from '../admin-api.ts';
import { CliError, exitCodes } from '../errors.ts';
import { formatReturn, formatRetryParked } from '../format.ts';
import { line } from '../io.ts';
import { adminToken, workflowUiUrl } from '../settings.ts';
import type { CommandContext } from './context.ts';

export function registerReturnCommands(program: Command, context: CommandContext): void {
  const returns = program
    .command('return')
    .description("One return's workflow: its state, timeline, retries and line fixes");

  returns
    .command('show')
    .description(
      "Show a return's stage, what it waits for, its last error with the suggested fix, and its timeline",
    )
    .argument('<tenantId>', 'tenant the return belongs to (see: tenants list)')
    .argument('<loopReturnId>', 'the return ID in Loop')
    .option('--json', 'print the workflow state as JSON')
    .action(async (tenantId: string, loopReturnId: string, options: { json?: boolean }, command: Command) => {
      const settings = context.settings(command);
      const api = new AdminApi(settings.gatewayUrl, await adminToken(settings));
      const state = await api.getReturn(tenantId, loopReturnId);
      if (options.json) return line(context.io.out, JSON.stringify(state, null, 2));
      context.io.out(formatReturn(state, workflowUiUrl(settings, returnWorkflowId(tenantId, loopReturnId))));
    });

  returns
    .command('retry')
    .description(
      'Resume a return parked in needs-attention now, instead of at its next automatic re-check; with --all, ' +
        'every parked return of a tenant (optionally only those on one issue code)',
    )
    .argument('[tenantId]', 'tenant the return belongs to')
    .argument('[loopReturnId]', 'the return ID in Loop')
    .option('--all', 'every return of --tenant parked in needs-attention, in one Temporal batch signal')
    .option('--tenant <tenantId>', 'with --all: the tenant whose parked returns to retry')
    .option('--code <code>', 'with --all: only returns parked on this issue code, e.g. FacilityNotFound')
    .option('--by <name>', 'who is retrying (recorded in the timeline)', process.env.USER)
    .option('--json', 'print the workflow state (with --all: the counts) as JSON')
    .action(
      async (
        tenantId: string | undefined,
        loopReturnId: string | undefined,
        options: { all?: boolean; tenant?: string; code?: string; by?: string; json?: boolean },
        command: Command,
      ) => {
        const settings = context.settings(command);
        if (options.all) {
          if (tenantId !== undefined || loopReturnId !== undefined || options.tenant === undefined) {
            throw new CliError(
              'With --all, name the tenant with --tenant <tenantId> and no return: return retry --all --tenant demo [--code FacilityNotFound]',
              exitCodes.usage,
            );
          }
          const api = new AdminApi(settings.gatewayUrl, await adminToken(settings));
          const result = await api.retryParked(options.tenant, { code: options.code, by: options.by });
          if (options.json) return line(context.io.out, JSON.stringify(result, null, 2));
          return context.io.out(formatRetryParked(result));
        }
        if (tenantId === undefined || loopReturnId === undefined || options.tenant || options.code) {
          throw new CliError(
            'Name one return (return retry <tenantId> <loopReturnId>), or every parked return of a tenant ' +
              '(return retry --all --tenant <tenantId> [--code <code>])',
            exitCodes.usage,
          );
        }
        const api = new AdminApi(settings.gatewayUrl, await adminToken(settings));
        let state;
        try {
          state = await api.retryReturn(tenantId, loopReturnId, options.by);
        } catch (error) {
          if (error instanceof AdminApiError && error.status === 409) {
            throw new CliError(`Not retried: ${error.message}`);
          }
          throw error;
        }
        if (options.json) return line(context.io.out, JSON.stringify(state, null, 2));
        line(
          context.io.out,
          `Retry accepted for Loop return ${loopReturnId} of tenant ${tenantId}; the return resumes.`,
        );
        line(context.io.out, `Follow it with: return show ${tenantId} ${loopReturnId}`);
      },
    );

  returns
    .command('fix-lines')
    .description(
      'Lines Loop sent without a SKU: give each the Finale product it is (--line), or continue without them ' +
        '(--skip-lines-without-sku); the return resumes (return show lists the lines)',
    )
    .argument('<tenantId>', 'tenant the return belongs to')
    .argument('<loopReturnId>', 'the return ID in Loop')
    .option(
      '--line <lineId=productId>',
      'a Loop line item and the Finale product ID it is returned as (repeat for several)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--skip-lines-without-sku', 'create the Finale return without the lines that have no SKU')
    .option('--by <name>', 'who decided (recorded in the timeline)', process.env.USER)
    .option('--json', 'print the workflow state as JSON')
    .action(
      async (
        tenantId: string,
        loopReturnId: string,
        options: { line: string[]; skipLinesWithoutSku?: boolean; by?: string; json?: boolean },
        command: Command,
      ) => {
        const lines = options.line.map((pair) => {
          const match = /^([^=\s]+)=(.+)$/.exec(pair);
          if (!match)
            throw new CliError(
              `--line takes <lineId>=<productId>, e.g. 9001=CAP-RED; got "${pair}"`,
              exitCodes.usage,
            );
          return { lineItemId: match[1]!, productId: match[2]! };
        });
        if (lines.length === 0 && !options.skipLinesWithoutSku) {
          throw new CliError(
            'Give --line <lineId>=<productId>, or --skip-lines-without-sku',
            exitCodes.usage,
          );
        }
        if (!options.by) throw new CliError('Say who decides with --by <name>', exitCodes.usage);
        const settings = context.settings(command);
        const api = new AdminApi(settings.gatewayUrl, await adminToken(settings));
        let state;
        try {
          state = await api.fixLines(tenantId, loopReturnId, {
            by: options.by,
            ...(lines.length > 0 ? { lines } : {}),
            ...(options.skipLinesWithoutSku ? { skipLinesWithoutSku: true } : {}),
          });
        } catch (error) {
          if (error instanceof AdminApiError && error.status === 409) {
            throw new CliError(`Not fixed: ${error.message}`);
          }
          throw error;
        }
        if (options.json) return line(context.io.out, JSON.stringify(state, null, 2));
        line(
          context.io.out,
          `Lines fixed for Loop return ${loopReturnId} of tenant ${tenantId}; the return resumes.`,
        );
        line(context.io.out, `Follow it with: return show ${tenantId} ${loopReturnId}`);
      },
    );
}
