// The embedded default's workflow bundle, built in a short-lived child process: webpack and the compilation
// then never enter the long-running process, which would otherwise keep about 90 MB more resident for good.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../temporal/binaries.ts';

const run = promisify(execFile);

/** Builds the bundle into the data folder (afresh each start, so it always matches the code) and returns its path. */
export async function buildWorkflowBundle(dataDir: string): Promise<string> {
  const out = path.resolve(dataDir, 'workflow-bundle.js');
  await run(process.execPath, ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', out], {
    cwd: projectRoot,
    timeout: 180_000,
  });
  return out;
}
