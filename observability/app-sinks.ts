// The sinks through which workflow code reports metrics: workflows cannot touch the registry themselves,
// because they run in Temporal's sandbox and are replayed.
import type { Sinks } from '@temporalio/workflow';

export interface AppSinks extends Sinks {
  appMetrics: {
    returnFinished(outcome: string): void;
  };
}
