import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  projectRoot,
  resolveTemporalCli,
  resolveTemporalTestServer,
  TemporalBinaryNotFoundError,
} from '../../temporal/binaries.ts';

async function fakeBinary(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bin-'));
  const file = path.join(dir, name);
  await writeFile(file, '#!/bin/sh\n');
  await chmod(file, 0o755);
  return file;
}

const projectLocal = (name: string) => path.join(projectRoot, '.tools', 'venv', 'bin', name);

describe('Temporal binary resolution', () => {
  it('prefers the explicit environment variable', async () => {
    const explicit = await fakeBinary('temporal');
    const onPath = await fakeBinary('temporal');
    expect(resolveTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) })).toBe(explicit);
  });

  it('rejects an explicit path that is not executable', () => {
    expect(() => resolveTemporalCli({ TEMPORAL_CLI_PATH: '/nonexistent/temporal' })).toThrow(
      /TEMPORAL_CLI_PATH/,
    );
  });

  it('then takes the binary on PATH', async () => {
    const onPath = await fakeBinary('temporal-test-server');
    expect(resolveTemporalTestServer({ PATH: path.dirname(onPath) })).toBe(onPath);
  });

  it('then falls back to the project-local virtualenv that npm run setup fills', () => {
    expect(resolveTemporalCli({ PATH: '' })).toBe(projectLocal('temporal'));
    expect(resolveTemporalTestServer({ PATH: '' })).toBe(projectLocal('temporal-test-server'));
  });

  it('says how to install it when it is nowhere', async () => {
    const elsewhere = path.dirname(await fakeBinary('unrelated'));
    const error = (() => {
      try {
        resolveTemporalCli({ PATH: elsewhere, TEMPORAL_CLI_PATH: '' }, path.join(elsewhere, 'no-venv'));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TemporalBinaryNotFoundError);
    expect(String(error)).toMatch(/npm run setup.*TEMPORAL_CLI_PATH/);
  });
});

describe('npm run setup', () => {
  it('recognises the pinned binaries already installed and changes nothing', () => {
    const run = spawnSync('bash', [path.join(projectRoot, 'scripts', 'setup-temporal.sh')], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Temporal binaries present');
    expect(run.stdout).toContain('CLI 1.9.1, test server 1.40.0');
    const version = spawnSync(projectLocal('temporal'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout).toMatch(/^temporal version 1\.9\.1 /);
  });
});
