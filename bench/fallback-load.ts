// The Finale read load that the return workflows' fallback completion checks put on one tenant, computed
// from the check schedule itself (workflows/return/schedules.ts): shown by a test and by bench:lifetime.
import { fallbackCheckSchedule, nextLookDelayMs } from '../workflows/return/schedules.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface FallbackLoadScenario {
  /** Open returns of the tenant. */
  returns: number;
  /** How the returns arrive: at this many per minute, starting at time 0. */
  arrivalsPerMinute: number;
  /** How long each return waits for the warehouse (never completing when longer than the horizon). */
  waitMs: number;
  horizonMs: number;
  /** The tenant's first fallback check (`completionCheckIntervalMs`). */
  firstCheckMs: number;
}

export interface FallbackLoad {
  checks: number;
  /** The busiest hour's fallback reads, per minute. */
  peakPerMinute: number;
}

/** A small seeded generator (mulberry32), so every run of the figure is the same. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function fallbackLoad(scenario: FallbackLoadScenario, random = seededRandom(42)): FallbackLoad {
  const schedule = fallbackCheckSchedule(scenario.firstCheckMs);
  const perHour = new Map<number, number>();
  let checks = 0;
  for (let i = 0; i < scenario.returns; i++) {
    const createdAt = (i / scenario.arrivalsPerMinute) * MINUTE;
    const end = Math.min(createdAt + scenario.waitMs, scenario.horizonMs);
    let at = createdAt + nextLookDelayMs(schedule, 0, random());
    while (at < end) {
      checks += 1;
      const hour = Math.floor(at / HOUR);
      perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
      at += nextLookDelayMs(schedule, at - createdAt, random());
    }
  }
  return { checks, peakPerMinute: Math.max(0, ...perHour.values()) / 60 };
}
