// Turns a submitted form into a tenant, or into messages next to the fields that are wrong: first the
// formats (the tenant-settings schema, so the form and the store agree), then live checks against Finale and
// Loop for the fields whose format is right. Every problem is reported in one pass.
import { reasonLabelKey, reasonLabelMatching } from '../../config/reason-labels.ts';
import {
  parseNewTenant,
  TenantSettingsError,
  type NewTenant,
  type TenantSecrets,
  type TenantSettings,
} from '../../config/tenant-settings.ts';
import type { ApiEndpoints } from '../../activities/tenant-clients.ts';
import { checkFinale } from './finale-check.ts';
import {
  keptWhenBlank,
  secretFields,
  splitFlagReasons,
  type FieldErrors,
  type FieldKey,
  type OnboardingForm,
  type SecretField,
} from './form.ts';
import { checkLoop } from './loop-check.ts';

export interface ValidationContext {
  endpoints: ApiEndpoints;
  /** Settings saved earlier through this link: fields the form does not show keep their values. */
  existing?: TenantSettings;
  /** Saved secrets, used for a Finale secret field left blank (the Loop ones must be typed again). */
  storedSecrets?: TenantSecrets;
  /** Whether another tenant already uses this ID (only asked when creating). */
  tenantIdTaken: (tenantId: string) => Promise<boolean>;
}

export interface Validation {
  errors: FieldErrors;
  formErrors: string[];
  locations?: string[];
  facilitySuggestion?: string;
  /** Present only when nothing is wrong. */
  tenant?: NewTenant;
}

const finaleCredentialFields: FieldKey[] = ['finaleAccountName', 'finaleApiKey', 'finaleApiSecret'];

function effectiveSecrets(form: OnboardingForm, stored: TenantSecrets | undefined): TenantSecrets {
  return Object.fromEntries(
    secretFields.map((name: SecretField) => [
      name,
      form[name] || (keptWhenBlank.includes(name) ? stored?.[name] : undefined) || '',
    ]),
  ) as TenantSecrets;
}

const retypeMessages: Partial<Record<SecretField, string>> = {
  loopApiKey:
    'Type your Loop API key again: changing a connected store needs it, so that a link alone cannot change ' +
    'where Loop sends your returns.',
  loopWebhookSecret:
    'Type your Loop webhook secret again: changing a connected store needs it, so that a link alone cannot ' +
    'change where Loop sends your returns.',
};

/** Row problems the schema cannot see (it gets a map, where a half-filled row or a repeat has no place). */
function checkReasonRows(form: OnboardingForm, errors: FieldErrors): Record<string, string> {
  const map: Record<string, string> = {};
  const seen = new Map<string, string>();
  form.reasonRows.forEach((row, index) => {
    const key: FieldKey = `reason-${index}`;
    const earlier = seen.get(reasonLabelKey(row.label));
    if (row.label === '') {
      errors[key] = 'Enter the Loop reason this Finale reason ID is for, or clear the row.';
    } else if (row.reasonId === '') {
      errors[key] = `Enter the Finale reason ID for “${row.label}” (e.g. ##user_00003), or clear the row.`;
    } else if (earlier !== undefined) {
      errors[key] =
        `“${row.label}” is already mapped above as “${earlier}” (reasons are matched ${reasonLabelMatching}): ` +
        'keep one row.';
    } else {
      seen.set(reasonLabelKey(row.label), row.label);
      map[row.label] = row.reasonId;
    }
  });
  return map;
}

function fieldForProblem(path: string, form: OnboardingForm): FieldKey | undefined {
  const [group, field, ...rest] = path.split('.');
  if (group === 'secrets') return field as SecretField;
  if (group !== 'settings') return undefined;
  if (field === 'reasonMap') {
    const label = rest.join('.');
    const index = form.reasonRows.findIndex((row) => row.label === label);
    return index >= 0 ? `reason-${index}` : undefined;
  }
  if (field === 'flagReasons') return 'flagReasons';
  const known: FieldKey[] = [
    'tenantId',
    'displayName',
    'finaleAccountName',
    'destinationFacilityName',
    'completionAction',
  ];
  return known.find((name) => name === field);
}

/** Format checks only: no network. */
function checkFormats(form: OnboardingForm, context: ValidationContext) {
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  const reasonMap = checkReasonRows(form, errors);
  const { paused: _paused, ...kept } = context.existing ?? {};
  const input: NewTenant = {
    settings: {
      ...kept,
      tenantId: form.tenantId,
      displayName: form.displayName,
      finaleAccountName: form.finaleAccountName,
      destinationFacilityName: form.destinationFacilityName,
      reasonMap,
      flagReasons: splitFlagReasons(form.flagReasons),
      completionAction: form.completionAction as TenantSettings['completionAction'],
    },
    secrets: effectiveSecrets(form, context.storedSecrets),
  };
  if (context.existing !== undefined) {
    for (const [name, message] of Object.entries(retypeMessages) as [SecretField, string][]) {
      if (form[name] === '') errors[name] = message;
    }
  }
  try {
    parseNewTenant(input);
  } catch (error) {
    if (!(error instanceof TenantSettingsError)) throw error;
    for (const problem of error.problems) {
      const key = fieldForProblem(problem.path, form);
      if (key === undefined) formErrors.push(problem.message);
      else errors[key] ??= problem.message;
    }
  }
  return { errors, formErrors, input };
}

const has = (errors: FieldErrors, fields: FieldKey[]) => fields.some((field) => errors[field] !== undefined);

/** The "Check Finale credentials" button: the Finale fields only, and the account's locations to pick from. */
export async function validateFinale(form: OnboardingForm, context: ValidationContext): Promise<Validation> {
  const formats = checkFormats(form, context);
  const errors: FieldErrors = {};
  for (const field of finaleCredentialFields) {
    if (formats.errors[field]) errors[field] = formats.errors[field];
  }
  if (has(errors, finaleCredentialFields)) return { errors, formErrors: [] };
  const secrets = formats.input.secrets;
  const finale = await checkFinale({
    baseUrl: context.endpoints.finaleBaseUrl,
    accountName: form.finaleAccountName,
    apiKey: secrets.finaleApiKey,
    apiSecret: secrets.finaleApiSecret,
    facilityName: form.destinationFacilityName,
  });
  return { ...finale, errors: { ...finale.errors, ...errors } };
}

/** The save button: every field, formats first, then Finale and Loop live for the fields that passed. */
export async function validateAll(form: OnboardingForm, context: ValidationContext): Promise<Validation> {
  const { errors, formErrors, input } = checkFormats(form, context);
  const secrets = input.secrets;

  const finaleCheck = has(errors, finaleCredentialFields)
    ? undefined
    : checkFinale({
        baseUrl: context.endpoints.finaleBaseUrl,
        accountName: form.finaleAccountName,
        apiKey: secrets.finaleApiKey,
        apiSecret: secrets.finaleApiSecret,
        facilityName: form.destinationFacilityName,
      });
  const loopCheck = errors.loopApiKey
    ? undefined
    : checkLoop({
        baseUrl: context.endpoints.loopBaseUrl,
        apiVersion: context.endpoints.loopApiVersion,
        apiKey: secrets.loopApiKey,
      });
  const tenantIdCheck =
    context.existing === undefined && errors.tenantId === undefined
      ? context.tenantIdTaken(form.tenantId)
      : Promise.resolve(false);
  const [finale, loop, taken] = await Promise.all([finaleCheck, loopCheck, tenantIdCheck]);

  if (taken) {
    errors.tenantId = `The store ID “${form.tenantId}” is already taken. Choose another, e.g. “${form.tenantId.slice(0, 59)}-2”.`;
  }
  for (const check of [finale, loop]) {
    if (!check) continue;
    for (const [field, message] of Object.entries(check.errors) as [FieldKey, string][]) {
      errors[field] ??= message;
    }
    formErrors.push(...check.formErrors);
  }
  const ok = Object.keys(errors).length === 0 && formErrors.length === 0;
  return {
    errors,
    formErrors,
    locations: finale?.locations,
    facilitySuggestion: finale?.facilitySuggestion,
    tenant: ok ? input : undefined,
  };
}
