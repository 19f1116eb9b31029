// `demo`: pushes one return through a running `npm start` in demo mode, the way it happens for real — the
// customer submits it in Loop (simulator), the webhook starts its workflow, the warehouse completes it in
// Finale (simulator) — and shows each stage as it happens, until Loop holds the final state.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { demoTenantId } from '../../scripts/start/demo-sandbox.ts';
import { returnWorkflowId } from '../../workflows/ids.ts';
import type { ReturnState } from '../../workflows/messages.ts';
import { AdminApi, AdminApiError } from '../admin-api.ts';
import { CliError, exitCodes } from '../errors.ts';
import { formatTimelineEntry } from '../format.ts';
import { line } from '../io.ts';
import { adminToken, workflowUiUrl } from '../settings.ts';
import { positiveInt, type CommandContext } from './context.ts';

interface DemoOptions {
  flag?: boolean;
  timeout: number;
  loopUrl?: string;
  finaleUrl?: string;
}

const POLL_MS = 500;

/** The demo return's lines: every reason is mapped; "Damaged" is a flag reason of the demo tenant. */
const demoItems = (flag: boolean) => [
  { sku: 'TEE-BLK-M', title: 'Classic Tee - M / Black', returnReason: 'Too small' },
  flag
    ? { sku: 'CAP-RED', title: 'Logo Cap - Red', returnReason: 'Damaged' }
    : { sku: 'CAP-RED', title: 'Logo Cap - Red', returnReason: "Item didn't fit" },
];

async function control<T>(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description(
      'Push a demo return through a running `npm start` in demo mode: submitted in the Loop simulator, ' +
        'created in Finale, completed by the simulated warehouse, and processed (or flagged) in Loop',
    )
    .option(
      '--flag',
      'use a flag reason ("Damaged"), so the return ends flagged for review instead of processed',
    )
    .option('--timeout <seconds>', 'give up after this many seconds', positiveInt, 120)
    .option('--loop-url <url>', 'Loop simulator (default: http://127.0.0.1:LOOP_SIM_PORT)')
    .option('--finale-url <url>', 'Finale simulator (default: http://127.0.0.1:FINALE_SIM_PORT)')
    .action(async (options: DemoOptions, command: Command) => {
      const settings = context.settings(command);
      const out = (text = '') => line(context.io.out, text);
      const loopUrl = (options.loopUrl ?? `http://127.0.0.1:${settings.env.LOOP_SIM_PORT}`).replace(
        /\/+$/,
        '',
      );
      const finaleUrl = (options.finaleUrl ?? `http://127.0.0.1:${settings.env.FINALE_SIM_PORT}`).replace(
        /\/+$/,
        '',
      );
      const api = new AdminApi(settings.gatewayUrl, await adminToken(settings));
      const deadline = Date.now() + options.timeout * 1000;

      try {
        await control(`${loopUrl}/__control/settings`, 'GET');
      } catch {
        throw new CliError(
          `No Loop simulator at ${loopUrl}. Is npm start running in demo mode? It runs the simulators only ` +
            'while no real tenant exists (and DEMO_MODE is not "off").',
          exitCodes.usage,
        );
      }

      // IDs from the clock: a finished demo return from an earlier start keeps its workflow ID for good.
      let loopReturnId = Math.floor(Date.now() / 1000) - 1_700_000_000;
      const items = demoItems(options.flag ?? false);
      for (let attempt = 0; ; attempt++, loopReturnId++) {
        const exists = await api.getReturn(demoTenantId, String(loopReturnId)).then(
          () => true,
          (error: unknown) => {
            if (error instanceof AdminApiError && error.status === 404) return false;
            throw error;
          },
        );
        if (exists) continue;
        const submitted = await control(`${loopUrl}/__control/returns`, 'POST', {
          id: loopReturnId,
          orderName: '#1001',
          items,
        });
        if (submitted.status === 201) break;
        if (submitted.status !== 409 || attempt >= 5) {
          throw new CliError(`The Loop simulator refused the demo return: HTTP ${submitted.status}`);
        }
      }
      const id = String(loopReturnId);
      const workflowId = returnWorkflowId(demoTenantId, id);
      out(`Customer submitted Loop return ${id} for order #1001 in the Loop simulator:`);
      for (const item of items) out(`  1 × ${item.sku} "${item.title}", reason "${item.returnReason}"`);
      const ui = workflowUiUrl(settings, workflowId);
      if (ui) out(`Watch it in the Temporal Web UI: ${ui}`);
      out('');

      let shown = 0;
      let completedInFinale = false;
      let last: ReturnState | undefined;
      let waitingShown = false;
      while (Date.now() < deadline) {
        let state: ReturnState | undefined;
        try {
          state = await api.getReturn(demoTenantId, id);
        } catch (error) {
          if (!(error instanceof AdminApiError)) throw error;
          if (error.status === 404) {
            if (!waitingShown) out('  … waiting for the return.created webhook to start the workflow');
            waitingShown = true;
          } else if (error.status !== 409 && error.status < 500) {
            throw error;
          }
          // 409 or 5xx: the new workflow does not answer queries until its first task ran; ask again.
        }
        if (state) {
          last = state;
          // Each timeline entry is printed once, as it appears.
          for (const entry of state.timeline.slice(shown)) out(formatTimelineEntry(entry));
          shown = state.timeline.length;

          if (state.stage === 'needs-attention') {
            throw new CliError(
              `The return needs attention: ${state.lastError?.message ?? state.waitingFor}\n` +
                `  Suggested fix: ${state.lastError?.fix ?? '-'}\n` +
                `  Then: npm run cli -- return retry ${demoTenantId} ${id}`,
            );
          }
          if (state.stage === 'awaiting-finale-completion' && state.finaleReturn && !completedInFinale) {
            out(
              `  … the warehouse completes Finale return ${state.finaleReturn.returnId} (Finale simulator);`,
            );
            out('    the tenant sweeper notices within about 10 s');
            const completed = await control(`${finaleUrl}/__control/returns/complete`, 'POST', {
              returnUrl: state.finaleReturn.returnUrl,
            });
            if (completed.status !== 200) {
              throw new CliError(
                `The Finale simulator could not complete the return: HTTP ${completed.status}`,
              );
            }
            completedInFinale = true;
          }
          if (state.stage === 'done' || state.stage === 'cancelled') {
            const loop = await control<{ state: string; notes: { content: string }[] }>(
              `${loopUrl}/__control/returns/${id}`,
              'GET',
            );
            out('');
            out(`Outcome: ${state.outcome ?? state.stage}. Final state in Loop: ${loop.body.state}`);
            for (const note of loop.body.notes ?? []) out(`  Loop note: ${note.content}`);
            out(`Inspect it again with: npm run cli -- return show ${demoTenantId} ${id}`);
            return;
          }
        }
        await delay(POLL_MS);
      }
      throw new CliError(
        `Timed out after ${options.timeout} s: the return is ${last ? `${last.stage} (${last.waitingFor})` : 'not started (no webhook arrived)'}. ` +
          `See: npm run cli -- return show ${demoTenantId} ${id}`,
      );
    });
}
