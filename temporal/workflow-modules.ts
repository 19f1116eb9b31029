// Where the workflow code lives, for the worker (bundling at start-up), the prebuilt bundle, and replay
// (the CLI's `history replay`, the replay tests): a path only, so importing it loads nothing else.
import { fileURLToPath } from 'node:url';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundled with the workflows, by the worker and by `npm run build:workflows` for a prebuilt bundle. */
export const workflowInterceptorModules = [
  fileURLToPath(new URL('../observability/workflow-interceptors.ts', import.meta.url)),
];
