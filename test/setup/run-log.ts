// One log file per test run for the Temporal SDK's lines (workers, workflow bundling, activity failures,
// native core warnings): the terminal keeps vitest's own report. Only the last runs' files are kept; the
// path is printed at the end when anything was written.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    runLogFile: string;
  }
}

const logDir = path.resolve('.test-logs');
const keptRuns = 10;

export default function setup(project: TestProject): () => void {
  mkdirSync(logDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(logDir, `${stamp}-${process.pid}.log`);
  project.provide('runLogFile', file);

  const older = readdirSync(logDir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .slice(0, -keptRuns);
  for (const name of older) rmSync(path.join(logDir, name), { force: true });

  return () => {
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size > 0) console.log(`Temporal SDK logs of this run: ${path.relative(process.cwd(), file)}`);
  };
}
