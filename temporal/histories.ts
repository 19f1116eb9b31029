import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';

/** Absolute paths of the recording machine that must not reach a committed history. */
function machinePaths(): string[] {
  return [process.cwd(), os.homedir(), os.tmpdir()]
    .filter((p) => p.length > 1)
    .sort((a, b) => b.length - a.length);
}

/**
 * A history made fit to commit: failures lose their stack traces (which name files on the recording
 * machine) and their messages any mention of this machine's working, home or temp folder. Replay reads
 * neither; payloads are left alone.
 */
export function scrubHistory(historyJson: string): string {
  const paths = machinePaths();
  const scrubText = (text: string) => paths.reduce((t, p) => t.split(p).join('<machine-path>'), text);
  const scrub = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      if (key === 'stackTrace') return '';
      return key === 'message' ? scrubText(value) : value;
    }
    if (Array.isArray(value)) return value.map((item) => scrub(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
    }
    return value;
  };
  return JSON.stringify(scrub(JSON.parse(historyJson)), null, 2);
}

/**
 * Writes a workflow run's full history (the latest run unless `runId` is given) as the JSON that
 * `temporal workflow show --output json` produces, scrubbed of this machine's paths.
 */
export async function exportHistory(
  client: Client,
  workflowId: string,
  file: string,
  runId?: string,
): Promise<void> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  await writeFile(file, `${scrubHistory(historyToJSON(history))}\n`);
}

export interface RunHistory {
  runId: string;
  history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
}

/** Every run of a workflow, oldest first: followed back from the latest through continue-as-new. */
export async function fetchRunHistories(client: Client, workflowId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let runId: string | null | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift({ runId, history });
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
  }
  return runs;
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
