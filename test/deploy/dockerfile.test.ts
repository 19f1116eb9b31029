/**
 * Static checks of the Dockerfile: its instructions are parsed and checked against the repository (base
 * image pinned, non-root user, scripts and files it relies on, the prebuilt workflow bundle, the gateway and
 * worker commands). A real build runs where a Docker engine answers and the base image can be had (already
 * there, or pulled from a registry).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const instructions = parseDockerfile(read('Dockerfile'));
const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (keyword: string) => all(keyword).at(-1);
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const envValue = (name: string) =>
  all('ENV')
    .join(' ')
    .match(new RegExp(`${name}=(\\S+)`))?.[1];

describe('Dockerfile', () => {
  it('uses only known instructions', () => {
    const known = [
      'FROM',
      'ENV',
      'WORKDIR',
      'COPY',
      'RUN',
      'USER',
      'EXPOSE',
      'ENTRYPOINT',
      'CMD',
      'ARG',
      'LABEL',
    ];
    for (const { keyword } of instructions) expect(known).toContain(keyword);
  });

  it('builds on a pinned Node 20 slim image', () => {
    const from = all('FROM');
    expect(from).toHaveLength(1);
    expect(from[0]).toMatch(/^node:20\.\d+\.\d+-\w+-slim$/);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=20/);
  });

  it('installs from the lockfile without dev dependencies, which the runtime does not need', () => {
    expect(all('COPY')[0]).toBe('package.json package-lock.json ./');
    expect(all('RUN').some((run) => run.includes('npm ci --omit=dev'))).toBe(true);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    // The entry points run TypeScript through tsx, and build:workflows bundles with @temporalio/worker.
    expect(pkg.dependencies).toHaveProperty('tsx');
    expect(pkg.dependencies).toHaveProperty('@temporalio/worker');
  });

  it('prebuilds the workflow bundle where WORKFLOW_BUNDLE_PATH points', () => {
    expect(scripts['build:workflows']).toBe('tsx scripts/build-workflow-bundle.ts');
    expect(existsSync(path.join(repoRoot, 'scripts/build-workflow-bundle.ts'))).toBe(true);
    expect(envValue('WORKFLOW_BUNDLE_PATH')).toBe('/app/dist/workflow-bundle.js');
    expect(
      all('RUN').some((run) => run.startsWith('npm run build:workflows -- "$WORKFLOW_BUNDLE_PATH"')),
    ).toBe(true);
  });

  it('runs as the unprivileged node user, after everything root must do', () => {
    const userIndex = instructions.findIndex((i) => i.keyword === 'USER');
    expect(last('USER')).toBe('node');
    expect(instructions.slice(userIndex).some((i) => i.keyword === 'RUN' || i.keyword === 'COPY')).toBe(
      false,
    );
  });

  it('starts the gateway or the worker, each an existing package script and entry file', () => {
    const entrypoint = JSON.parse(last('ENTRYPOINT') ?? '') as string[];
    const cmd = JSON.parse(last('CMD') ?? '') as string[];
    expect(entrypoint).toEqual(['npm', 'run', '--silent']);
    expect(cmd).toEqual(['worker']);
    for (const command of ['gateway', 'worker']) {
      const script = scripts[command];
      // Node itself runs the entry point, with tsx as its loader: no wrapper process between the signals
      // (docker stop, Ctrl-C) and the service's own graceful shutdown.
      expect(script).toMatch(/^node --import tsx \S+\.ts$/);
      expect(existsSync(path.join(repoRoot, script!.split(' ').at(-1)!))).toBe(true);
    }
  });

  it('listens on every interface and exposes the gateway and metrics ports', () => {
    expect(envValue('GATEWAY_HOST')).toBe('0.0.0.0');
    expect(envValue('TEMPORAL_METRICS_ADDRESS')).toBe('0.0.0.0:9464');
    expect(envValue('WORKER_METRICS_ADDRESS')).toBe('0.0.0.0:9465');
    expect(last('EXPOSE')?.split(' ')).toEqual(['3000', '9464', '9465']);
  });

  it('keeps local state, tools, tests and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', '.data', '.tools', 'dist', 'test', '.env', '.git']) {
      expect(ignored).toContain(entry);
    }
  });

  it('builds, where a Docker engine is available', (context) => {
    const engine = spawnSync('docker', ['info'], { encoding: 'utf8' });
    if (engine.status !== 0) {
      console.log('Skipping the Docker build: no Docker engine answers `docker info` on this machine.');
      context.skip();
    }
    const base = all('FROM')[0]!;
    if (spawnSync('docker', ['image', 'inspect', base], { encoding: 'utf8' }).status !== 0) {
      const pull = spawnSync('docker', ['pull', '-q', base], { encoding: 'utf8', timeout: 300_000 });
      if (pull.status !== 0) {
        const reason = (pull.stderr || pull.error?.message || '').trim();
        console.log(
          `Skipping the Docker build: its base image ${base} is not here and cannot be pulled (${reason}).`,
        );
        context.skip();
      }
    }
    const build = spawnSync('docker', ['build', '-q', '-t', 'loop-finale:test', repoRoot], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(build.status, build.stderr).toBe(0);
  });
});
