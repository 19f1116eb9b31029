import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// Test files that need a Temporal server (the run-wide dev server, or a time-skipping test server of their
// own) or a browser: the `server` project. Everything else is the `unit` project, `npm run test:unit`,
// which starts no Temporal server (connectToDevServer fails there, naming this list).
const serverTests = [
  'test/browser/**/*.test.ts',
  'test/cli/admin-commands.test.ts',
  'test/cli/history-commands.test.ts',
  'test/deploy/dashboard-metrics.test.ts',
  'test/e2e/**/*.test.ts',
  'test/gateway/admin/{invite-routes,routes}.test.ts',
  'test/gateway/main.test.ts',
  'test/gateway/server.test.ts',
  'test/gateway/routes/**/*.test.ts',
  'test/gateway/onboarding/{destinations,links,save,validation}.test.ts',
  'test/observability/{app-metrics,state-metrics,tracing,worker-process}.test.ts',
  'test/scripts/start.test.ts',
  'test/security/demo-mode-routing.test.ts',
  'test/temporal/harness.test.ts',
  'test/worker/main.test.ts',
  'test/workflows/{return-destinations,return-receipt,return-workflow,return-workflow-time-skipping,tenant-sweeper}.test.ts',
];

const shared = {
  resolve: {
    alias: [
      // The Temporal SDK logs into the run's log file, not the terminal (see the file).
      {
        find: /^@temporalio\/worker$/,
        replacement: fileURLToPath(new URL('test/setup/temporal-worker.ts', import.meta.url)),
      },
      // PGlite loads the run's initdb template instead of running initdb for every store (see the file).
      {
        find: /^@electric-sql\/pglite$/,
        replacement: fileURLToPath(new URL('test/setup/pglite.ts', import.meta.url)),
      },
    ],
  },
  test: {
    // Temporal's native worker and the workflow bundler need real processes, not worker threads.
    pool: 'forks' as const,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
};

export default defineConfig({
  test: {
    // Runs once per run, whichever projects run: the run's log file, and PGlite's initdb template.
    globalSetup: ['test/setup/run-log.ts', 'test/setup/pglite-template.ts'],
    // Workflow tests take seconds by design; a failing file's report names a test only when it is this slow.
    slowTestThreshold: 10_000,
    reporters: ['./test/setup/quiet-reporter.ts'],
    projects: [
      {
        ...shared,
        test: {
          ...shared.test,
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...serverTests],
          // The fast suite. Most of its time is spent waiting (simulated APIs, rate limits), so three files
          // run at once even on two cores; each worker process runs file after file, loading the packages
          // they share (fastify, the Temporal SDK, PGlite's WebAssembly) once, and the project's own
          // modules afresh for each file (see the setup file).
          maxWorkers: 3,
          isolate: false,
          setupFiles: ['test/setup/fresh-modules.ts'],
          // Before the server project, which runs its files one at a time.
          sequence: { groupOrder: 0 },
        },
      },
      {
        ...shared,
        test: {
          ...shared.test,
          name: 'server',
          include: serverTests,
          globalSetup: ['test/setup/temporal-dev-server.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
