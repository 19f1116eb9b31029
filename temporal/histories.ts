import { readFile, writeFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';

/** Writes a workflow's full history as the JSON that `temporal workflow show --output json` produces. */
export async function exportHistory(client: Client, workflowId: string, file: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await writeFile(file, `${historyToJSON(history)}\n`);
}

/**
 * Replays a JSON history file against the workflow code at `workflowsPath`. Throws
 * `DeterminismViolationError` when the code would not reproduce the recorded commands.
 */
export async function replayHistoryFile(
  workflowsPath: string,
  file: string,
  workflowId?: string,
): Promise<void> {
  const history = historyFromJSON(JSON.parse(await readFile(file, 'utf8')));
  await Worker.runReplayHistory({ workflowsPath }, history, workflowId);
}
