import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../config/env.ts';

describe('parseEnv', () => {
  it('applies defaults for an empty environment', () => {
    const env = parseEnv({});
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    expect(env.GATEWAY_PORT).toBe(3000);
    expect(env.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('treats an empty TEMPORAL_ADDRESS as unset', () => {
    expect(parseEnv({ TEMPORAL_ADDRESS: '' }).TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('reports every invalid variable at once', () => {
    let caught: unknown;
    try {
      parseEnv({ GATEWAY_PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_BASE_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/GATEWAY_PORT/);
    expect(problems).toMatch(/LOG_LEVEL/);
    expect(problems).toMatch(/PUBLIC_BASE_URL/);
  });

  it('makes an entry point print all problems and exit non-zero', () => {
    const script =
      "import { loadEnvOrExit } from './config/env.ts'; loadEnvOrExit(); console.log('started');";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, GATEWAY_PORT: '-1', TEMPORAL_UI_PORT: 'x' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('started');
    expect(run.stderr).toContain('GATEWAY_PORT');
    expect(run.stderr).toContain('TEMPORAL_UI_PORT');
  });
});
