// The sinks through which workflow code reports metrics: workflows cannot touch the registry themselves,
// because they run in Temporal's sandbox and are replayed.
import type { Sinks } from '@temporalio/workflow';

export interface AppSinks extends Sinks {
  appMetrics: {
    returnFinished(outcome: string): void;
    /** The return's Finale return exists, `seconds` after the return was received. */
    returnDrained(seconds: number): void;
  };
}
