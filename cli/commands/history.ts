import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { Command } from 'commander';
import { exportHistory, replayHistoryFile } from '../../temporal/histories.ts';
import { workflowsPath } from '../../temporal/workflow-modules.ts';
import { returnWorkflowId } from '../../workflows/ids.ts';
import { CliError, exitCodes } from '../errors.ts';
import { line } from '../io.ts';
import { withTemporalClient } from '../temporal.ts';
import type { CommandContext } from './context.ts';

export function registerHistoryCommands(program: Command, context: CommandContext): void {
  const history = program
    .command('history')
    .description(
      'Workflow histories: export them as test fixtures, and replay them against the current code',
    );

  history
    .command('export')
    .description(
      "Write a return workflow's full event history to a JSON fixture (talks to Temporal directly)",
    )
    .argument('<tenantId>', 'tenant the return belongs to')
    .argument('<loopReturnId>', 'the return ID in Loop')
    .argument('<file>', 'JSON file to write, e.g. test/fixtures/histories/processed.json')
    .action(
      async (tenantId: string, loopReturnId: string, file: string, _options: unknown, command: Command) => {
        const settings = context.settings(command);
        const workflowId = returnWorkflowId(tenantId, loopReturnId);
        await withTemporalClient(settings, async (client) => {
          try {
            await exportHistory(client, workflowId, file);
          } catch (error) {
            const notFound =
              error instanceof WorkflowNotFoundError ||
              (isGrpcServiceError(error) && error.code === grpcStatus.NOT_FOUND);
            if (notFound) {
              throw new CliError(`No workflow ${workflowId} in namespace ${settings.namespace}`);
            }
            throw error;
          }
        });
        const events = (JSON.parse(await readFile(file, 'utf8')) as { events: unknown[] }).events.length;
        line(context.io.out, `Exported ${events} events of ${workflowId} to ${file}`);
      },
    );

  history
    .command('replay')
    .description(
      'Replay a history file against the current workflow code: fails when a code change would break ' +
        'workflows already running (non-determinism)',
    )
    .argument(
      '<file>',
      'history JSON, as written by history export or `temporal workflow show --output json`',
    )
    .option('--workflow-id <id>', 'workflow ID to replay under (only used in messages)')
    .option(
      '--workflows <path>',
      'workflow module to replay against instead of the current code',
      workflowsPath,
    )
    .action(async (file: string, options: { workflowId?: string; workflows: string }) => {
      try {
        await readFile(file);
      } catch (error) {
        throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, exitCodes.usage);
      }
      const against = path.relative(process.cwd(), options.workflows) || options.workflows;
      try {
        await replayHistoryFile(options.workflows, file, options.workflowId);
      } catch (error) {
        if (error instanceof DeterminismViolationError) {
          throw new CliError(
            `Non-deterministic: ${against} does not reproduce the commands recorded in ${file}.\n` +
              `  ${error.message}\n` +
              'Workflows already running would fail on this code. Guard the change with patched() ' +
              '(see workflows/), or keep the old behaviour until those workflows have finished.',
          );
        }
        if (error instanceof SyntaxError) {
          throw new CliError(`${file} is not a workflow history JSON: ${error.message}`, exitCodes.usage);
        }
        throw new CliError(
          `Replay of ${file} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      line(context.io.out, `Replayed ${file} against ${against}: deterministic.`);
    });
}
