import { describe, expect, it } from 'vitest';
import { planChaos } from '../../soak/chaos.ts';
import { dealFates } from '../../soak/world.ts';

describe('the soak plan', () => {
  it('deals fates in the asked shares, the rest completed, shuffled', () => {
    const fates = dealFates(1000, { 'loop-cancel': 0.05, 'finale-cancel': 0.02, 'flag-reason': 0.03 });
    const count = (fate: string) => fates.filter((f) => f === fate).length;
    expect(fates).toHaveLength(1000);
    expect([count('loop-cancel'), count('finale-cancel'), count('flag-reason'), count('complete')]).toEqual([
      50, 20, 30, 900,
    ]);
    // Shuffled: the special fates are not all at the front.
    expect(fates.slice(0, 100).filter((f) => f !== 'complete').length).toBeLessThan(100);
  });

  it('plans every event in the window’s first three quarters, Temporal restarts in its middle, in order', () => {
    const events = planChaos(
      { windowMs: 100_000, workerKills: 10, temporalRestarts: 2, gatewayRestarts: 2, rateLimitBursts: 3 },
      2,
    );
    expect(events).toHaveLength(17);
    expect(events.map((e) => e.atMs)).toEqual([...events.map((e) => e.atMs)].sort((a, b) => a - b));
    for (const event of events) {
      expect(event.atMs).toBeGreaterThanOrEqual(5_000);
      expect(event.atMs).toBeLessThanOrEqual(75_000);
      if (event.kind === 'restart-temporal') {
        expect(event.atMs).toBeGreaterThanOrEqual(25_000);
        expect(event.atMs).toBeLessThanOrEqual(55_000);
      }
      if (event.kind === 'kill-worker') expect([0, 1]).toContain(event.worker);
    }
  });
});
