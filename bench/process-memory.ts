// Reading other processes of a benchmark: resident memory from /proc, and counters from a Prometheus
// endpoint, so a figure is taken from the real process without instrumenting it.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const MIB = 1024;

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / MIB;
}

/** Resident memory now, in MiB. */
export const rssMiB = (pid: number) => statusField(pid, 'VmRSS');
/** The most resident memory the process has had, in MiB. */
export const peakRssMiB = (pid: number) => statusField(pid, 'VmHWM');

/** The machine's load averages, printed beside figures taken on a shared machine. */
export const loadAverages = () =>
  loadavg()
    .map((load) => load.toFixed(1))
    .join(' / ');

/** Sum of every sample of `metric` (optionally with one label value) in a Prometheus text exposition. */
export function metricSum(exposition: string, metric: string, label?: [string, string]): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (label && !line.includes(`${label[0]}="${label[1]}"`)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Fetches a Prometheus endpoint's text; undefined while it does not answer yet. */
export async function scrape(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Polls `check` every `everyMs` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
