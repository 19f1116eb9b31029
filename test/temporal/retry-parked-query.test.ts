import { describe, expect, it } from 'vitest';
import { InvalidRetryFilterError, parkedReturnsQuery } from '../../temporal/retry-parked.ts';
import { configIssueCodes } from '../../workflows/issue-codes.ts';

describe('the visibility query for a tenant’s parked returns', () => {
  it('matches the tenant’s running return workflows parked in needs-attention', () => {
    expect(parkedReturnsQuery('demo')).toBe(
      'LoopFinaleTenant = "demo" AND WorkflowType = "returnWorkflow" AND ExecutionStatus = "Running" AND ' +
        'ReturnStage = "needs-attention"',
    );
  });

  it('narrows to issue codes', () => {
    expect(parkedReturnsQuery('demo', ['FacilityNotFound'])).toMatch(
      / AND ReturnIssueCode IN \("FacilityNotFound"\)$/,
    );
    expect(parkedReturnsQuery('demo', configIssueCodes)).toContain(
      'ReturnIssueCode IN ("FacilityNotFound", "DestinationNotMapped", ',
    );
  });

  it.each([
    ['a tenant ID that would end the quoted value', () => parkedReturnsQuery('demo" OR "1"="1')],
    ['a tenant ID with a space', () => parkedReturnsQuery('de mo')],
    ['an issue code that would end the quoted value', () => parkedReturnsQuery('demo', ['X") OR (1=1'])],
    ['an issue code with a space', () => parkedReturnsQuery('demo', ['Facility Not Found'])],
    ['no issue code at all', () => parkedReturnsQuery('demo', [])],
  ])('refuses %s rather than building a query from it', (_what, build) => {
    expect(build).toThrow(InvalidRetryFilterError);
  });
});
