// Where a run keeps its logs, Temporal data file and workflow bundle: `.soak/<kind>-<time>`, the last few
// runs of each kind kept, older ones removed.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../temporal/binaries.ts';

const KEPT = 5;

/** A fresh folder for this run (or `given`, as is), after removing all but the last few of its kind. */
export function runDirectory(kind: string, given?: string): string {
  if (given) {
    mkdirSync(given, { recursive: true });
    return path.resolve(given);
  }
  const root = path.join(projectRoot, '.soak');
  mkdirSync(root, { recursive: true });
  const earlier = readdirSync(root)
    .filter((name) => name.startsWith(`${kind}-`))
    .sort();
  for (const name of earlier.slice(0, Math.max(0, earlier.length - (KEPT - 1)))) {
    rmSync(path.join(root, name), { recursive: true, force: true });
  }
  const dir = path.join(root, `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
