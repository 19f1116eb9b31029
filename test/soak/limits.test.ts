import { describe, expect, it } from 'vitest';
import { apiSettingsFromEnv } from '../../config/api-settings.ts';
import { parseEnv } from '../../config/env.ts';
import { publishedBudgets } from '../../integrations/budget-rules.ts';
import { scaledLimits } from '../../soak/limits.ts';

describe('the published limits on a shortened clock', () => {
  it('keeps each limit and shortens its window, and the worker reads the same rules from its settings', () => {
    const limits = scaledLimits(30);
    expect(limits.rules).toEqual({
      'finale-get': { limit: 120, windowMs: 2_000 },
      'finale-post': { limit: 120, windowMs: 2_000 },
      'finale-collection': { limit: 300, windowMs: 120_000 },
      loop: { limit: 300, windowMs: 2_000 },
    });
    expect(apiSettingsFromEnv(parseEnv(limits.workerEnv)).budgets).toEqual(limits.rules);
  });

  it('averages to the published rate times the factor', () => {
    const limits = scaledLimits(40);
    expect(limits.perMinute('finale-collection')).toBe(
      40 * (publishedBudgets['finale-collection'].limit / 60),
    );
    expect(limits.perMinute('finale-get')).toBe(40 * 120);
  });
});
