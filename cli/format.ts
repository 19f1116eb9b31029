// Readable renderings for the terminal; every command also offers --json for scripts.
import type { TenantSettings } from '../config/tenant-settings.ts';
import type { RetryParkedAnswer } from '../gateway/admin/schemas.ts';
import type { ReturnState, TimelineEntry } from '../workflows/messages.ts';

const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export const formatTimelineEntry = (entry: TimelineEntry) =>
  `  ${time(entry.at)}  ${entry.stage.padEnd(26)}  ${entry.event}`;

export function formatReturn(state: ReturnState, webUiUrl?: string): string {
  const rows: [string, string | undefined][] = [
    ['Stage', `${state.stage} — ${state.waitingFor}`],
    ['Outcome', state.outcome],
    [
      'Finale return',
      state.finaleReturn &&
        `${state.finaleReturn.returnId} (${state.finaleReturn.returnUrl})` +
          (state.finaleReturn.facilityName ? ` at ${state.finaleReturn.facilityName}` : ''),
    ],
    [
      'Received',
      state.receipt &&
        (state.receipt.differences.length === 0
          ? 'exactly what was created'
          : state.receipt.differences.map((difference) => difference.line).join('\n' + ' '.repeat(20))),
    ],
    ['Attempts', state.attempts > 0 ? String(state.attempts) : undefined],
    [
      'Last error',
      state.lastError &&
        `[${state.lastError.class}/${state.lastError.code}] ${state.lastError.message} (step: ${state.lastError.step})`,
    ],
    ['Suggested fix', state.lastError?.fix],
    [
      'Lines without SKU',
      state.lastError?.lines?.map((l) => `line ${l.id} "${l.title}"`).join(', ') || undefined,
    ],
    [
      'Line fixes',
      state.lineFixes
        ?.map((fix) =>
          fix.skipLinesWithoutSku
            ? `without the SKU-less lines (by ${fix.by})`
            : `line ${fix.lineItemId} as ${fix.productId} (by ${fix.by})`,
        )
        .join('; ') || undefined,
    ],
    ['Flag reasons', state.flagReasons.length > 0 ? state.flagReasons.join(', ') : undefined],
    ['Unmapped reasons', state.unmappedReasons.length > 0 ? state.unmappedReasons.join(', ') : undefined],
    [
      'Manual completion',
      state.manualCompletion && `by ${state.manualCompletion.by}: ${state.manualCompletion.reason}`,
    ],
    ['Web UI', webUiUrl],
  ];
  return [
    `Loop return ${state.loopReturnId} of tenant ${state.tenantId}${state.orderName ? ` (order ${state.orderName})` : ''}`,
    ...rows
      .filter(([, value]) => value !== undefined)
      .map(([label, value]) => `  ${label.padEnd(18)}${value}`),
    '',
    'Timeline',
    ...state.timeline.map(formatTimelineEntry),
    '',
  ].join('\n');
}

export function formatTenants(tenants: TenantSettings[]): string {
  if (tenants.length === 0) return 'No tenants yet. Create an onboarding link with: invite create\n';
  const header = ['TENANT', 'NAME', 'STATUS', 'FACILITY', 'ON COMPLETION', 'FLAG REASONS'];
  const rows = tenants.map((t) => [
    t.tenantId,
    t.displayName,
    t.paused ? 'paused' : 'active',
    t.destinationFacilityName,
    t.completionAction,
    t.flagReasons.join(', ') || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return `${[header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function formatRetryParked(result: RetryParkedAnswer): string {
  const which = result.code ? ` parked on ${result.code}` : ' parked in needs-attention';
  const lines = [
    result.matched === 0
      ? `No return of tenant ${result.tenantId} is${which}: nothing to retry.`
      : `Nudged ${result.nudged} of ${result.matched} return${result.matched === 1 ? '' : 's'} of tenant ${result.tenantId}${which}; they resume now.`,
  ];
  if (result.failed > 0) lines.push(`${result.failed} could not be signalled (finished meanwhile?).`);
  if (!result.finished) {
    lines.push(
      `The batch was still running when counted: see it with temporal batch describe --job-id ${result.jobId}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
