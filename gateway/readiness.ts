// Whether the gateway's dependencies answer. The verdict is public (/readyz: ready or not ready), the
// details are not: they go to the log and to the admin API. Checks run at most once per cache period
// however often they are asked, so probes — or someone hammering /readyz — never load Temporal or the store.
import type { FastifyBaseLogger } from 'fastify';

export type ReadinessCheck = () => Promise<void>;

export interface CheckResult {
  ok: boolean;
  /** Why it failed: for operators only (the log, the admin API), never for a public answer. */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checkedAt: Date;
  checks: Record<string, CheckResult>;
}

export interface Readiness {
  /** The latest report, at most `cacheMs` old; concurrent callers share one run of the checks. */
  report(): Promise<ReadinessReport>;
}

export interface ReadinessOptions {
  checks: Record<string, ReadinessCheck>;
  log: FastifyBaseLogger;
  cacheMs?: number;
  timeoutMs?: number;
}

function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    check()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

export function createReadiness({
  checks,
  log,
  cacheMs = 5_000,
  timeoutMs = 2_000,
}: ReadinessOptions): Readiness {
  let latest: ReadinessReport | undefined;
  let running: Promise<ReadinessReport> | undefined;

  async function run(): Promise<ReadinessReport> {
    const results: Record<string, CheckResult> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check, timeoutMs);
          results[name] = { ok: true };
        } catch (error) {
          results[name] = { ok: false, error: error instanceof Error ? error.message : String(error) };
          log.warn({ check: name, err: error }, 'readiness check failed');
        }
      }),
    );
    const report = {
      ready: Object.values(results).every((result) => result.ok),
      checkedAt: new Date(),
      checks: results,
    };
    latest = report;
    return report;
  }

  return {
    report() {
      if (latest !== undefined && Date.now() - latest.checkedAt.getTime() < cacheMs) {
        return Promise.resolve(latest);
      }
      running ??= run().finally(() => (running = undefined));
      return running;
    },
  };
}
