import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { apiSettingsFromEnv } from '../../config/api-settings.ts';
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

  it('defaults the API budgets to the published limits and reads others as calls per window', () => {
    expect(apiSettingsFromEnv(parseEnv({}))).toMatchObject({
      budgets: {
        'finale-get': { limit: 120, windowMs: 60_000 },
        'finale-post': { limit: 120, windowMs: 60_000 },
        'finale-collection': { limit: 300, windowMs: 3_600_000 },
        loop: { limit: 300, windowMs: 60_000 },
      },
      budgetMaxWaitMs: 30_000,
      bounds: { maxRateLimitWaitMs: 900_000, maxResponseBytes: 16_777_216 },
      loopListMaxPages: 200,
    });
    const env = parseEnv({
      FINALE_GET_BUDGET: '30/5s',
      LOOP_BUDGET: ' 20 / 1500ms ',
      FINALE_POST_BUDGET: '',
    });
    expect(env.FINALE_GET_BUDGET).toEqual({ limit: 30, windowMs: 5_000 });
    expect(env.LOOP_BUDGET).toEqual({ limit: 20, windowMs: 1_500 });
    expect(env.FINALE_POST_BUDGET).toEqual({ limit: 120, windowMs: 60_000 });
  });

  it('rejects API budgets and bounds that are not usable, saying what they should look like', () => {
    let caught: unknown;
    try {
      parseEnv({
        FINALE_GET_BUDGET: '120',
        FINALE_POST_BUDGET: '1/min',
        LOOP_BUDGET: '300/fortnight',
        API_MAX_RESPONSE_BYTES: '10',
      });
    } catch (error) {
      caught = error;
    }
    const problems = (caught as ConfigError).problems;
    expect(problems).toContainEqual(expect.stringMatching(/^FINALE_GET_BUDGET: must look like 120\/min/));
    expect(problems).toContainEqual('FINALE_POST_BUDGET: the limit must be at least 2 calls');
    expect(problems).toContainEqual(expect.stringMatching(/^LOOP_BUDGET: must look like/));
    expect(problems).toContainEqual(expect.stringMatching(/^API_MAX_RESPONSE_BYTES:/));
  });
});
