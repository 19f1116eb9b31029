// The unit project's worker processes run file after file (isolate: false in vitest.config.ts), keeping the
// packages they loaded (Node caches those anyway). The project's own modules are evaluated afresh for each
// file, as in a process of its own: their state (the process-wide API budgets, the Finale accounts seen,
// the metrics registry) never carries over from one file to the next.
import { vi } from 'vitest';

vi.resetModules();
