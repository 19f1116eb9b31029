// Codes of the issues only the merchant can fix by changing a setting or a credential. A change of the
// tenant's settings retries every return parked on one of them at once (temporal/retry-parked.ts), so a
// config issue raised anywhere must use a code listed here: `issueFailure` only accepts these for `config`.

export const configIssueCodes = [
  'FacilityNotFound',
  'DestinationNotMapped',
  'FinaleAuthFailed',
  'LoopAuthFailed',
  'InvalidTenantSettings',
  'TenantNotFound',
  'DemoTenantOutsideDemoMode',
] as const;

export type ConfigIssueCode = (typeof configIssueCodes)[number];

/** Issue codes are identifiers such as `FacilityNotFound`: checked before one goes into a visibility query. */
export const ISSUE_CODE_PATTERN = /^[A-Z][A-Za-z0-9]{0,63}$/;
