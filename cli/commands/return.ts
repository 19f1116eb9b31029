import type { Command } from 'commander';
import { returnWorkflowId } from '../../workflows/ids.ts';
import { AdminApi, AdminApiError } from '../admin-api.ts';
import { CliError, exitCodes } from '../errors.ts';
import { formatReturn } from '../format.ts';
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
    .description('Resume a return parked in needs-attention now, instead of at its next automatic re-check')
    .argument('<tenantId>', 'tenant the return belongs to')
    .argument('<loopReturnId>', 'the return ID in Loop')
    .option('--by <name>', 'who is retrying (recorded in the timeline)', process.env.USER)
    .option('--json', 'print the workflow state as JSON')
    .action(
      async (
        tenantId: string,
        loopReturnId: string,
        options: { by?: string; json?: boolean },
        command: Command,
      ) => {
        const settings = context.settings(command);
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
