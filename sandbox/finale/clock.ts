/**
 * The simulator's notion of "now" for record timestamps and order visibility. It follows real time from an
 * adjustable offset, so tests on a time-skipping Temporal server can move it forward with their own clock.
 */
export class SimulatorClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  set(epochMs: number): void {
    this.offsetMs = epochMs - Date.now();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Back to real time. */
  reset(): void {
    this.offsetMs = 0;
  }
}
