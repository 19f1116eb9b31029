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
  destinationRoute,
  LOCATION_ROUTE_PREFIX,
  keptWhenBlank,
  secretFields,
  splitFlagReasons,
  withLoopDestinations,
  type DestinationRow,
  type FieldErrors,
  type FieldKey,
  type OnboardingForm,
  type SecretField,
} from './form.ts';
import { checkLoop, type LoopCheck } from './loop-check.ts';

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
  /** The destination rows to show, when Loop's destinations were read. */
  destinationRows?: DestinationRow[];
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

/** Destination rows as the settings' map; a row with no valid choice gets a message instead. */
function checkDestinationRows(form: OnboardingForm, errors: FieldErrors) {
  const map: NonNullable<TenantSettings['destinationMap']> = {};
  form.destinationRows.forEach((row, index) => {
    const route = destinationRoute(row);
    if (route) map[row.id] = route;
    else errors[`destination-${index}`] = 'Choose where returns sent to this destination go.';
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
  if (field === 'destinationMap') {
    const index = form.destinationRows.findIndex((row) => row.id === rest[0]);
    return index >= 0 ? `destination-${index}` : undefined;
  }
  if (field === 'flagReasons') return 'flagReasons';
  const known: FieldKey[] = [
    'tenantId',
    'displayName',
    'finaleAccountName',
    'destinationFacilityName',
    'completionAction',
    'unmappedDestinations',
    'receiptMismatch',
    'loopNoteOnCreate',
  ];
  return known.find((name) => name === field);
}

/** A destination sent to a Finale location that is not one of the account's active locations. */
function checkMappedLocations(form: OnboardingForm, locations: string[], errors: FieldErrors): void {
  const choose = locations.length > 0 ? ` Choose one of: ${locations.map((l) => `“${l}”`).join(', ')}.` : '';
  form.destinationRows.forEach((row, index) => {
    if (!row.route.startsWith(LOCATION_ROUTE_PREFIX)) return;
    const name = row.route.slice(LOCATION_ROUTE_PREFIX.length).trim();
    if (!locations.includes(name)) {
      errors[`destination-${index}`] ??= `Finale has no active location called “${name}”.${choose}`;
    }
  });
}

/** Format checks only: no network. */
function checkFormats(form: OnboardingForm, context: ValidationContext) {
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  const reasonMap = checkReasonRows(form, errors);
  const destinationMap = checkDestinationRows(form, errors);
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
      destinationMap,
      // A choice the form did not send keeps the saved value (or the default).
      ...(form.unmappedDestinations && {
        unmappedDestinations: form.unmappedDestinations as TenantSettings['unmappedDestinations'],
      }),
      ...(form.receiptMismatch && {
        receiptMismatch: form.receiptMismatch as TenantSettings['receiptMismatch'],
      }),
      loopNoteOnCreate: form.loopNoteOnCreate === 'on',
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

/** Loop and Finale for the mapping table: the shop's destinations and the account's locations. */
export async function validateDestinations(
  form: OnboardingForm,
  context: ValidationContext,
): Promise<Validation> {
  const formats = checkFormats(form, context);
  const [finale, loop] = await Promise.all([
    validateFinale(form, context),
    formats.errors.loopApiKey ? undefined : checkLoopOf(formats.input.secrets, context),
  ]);
  const errors: FieldErrors = { ...finale.errors };
  if (formats.errors.loopApiKey) errors.loopApiKey = formats.errors.loopApiKey;
  for (const [field, message] of Object.entries(loop?.errors ?? {}) as [FieldKey, string][]) {
    errors[field] ??= message;
  }
  const formErrors = [...finale.formErrors, ...(loop?.formErrors ?? [])];
  const destinationRows = loop?.destinations && withLoopDestinations(form.destinationRows, loop.destinations);
  return { ...finale, errors, formErrors, destinationRows };
}

const checkLoopOf = (secrets: TenantSecrets, context: ValidationContext): Promise<LoopCheck> =>
  checkLoop({
    baseUrl: context.endpoints.loopBaseUrl,
    apiVersion: context.endpoints.loopApiVersion,
    apiKey: secrets.loopApiKey,
  });

/**
 * The save button: every field, formats first, then Finale and Loop live for the fields that passed. A new
 * tenant's Loop destinations missing from the table are mapped to the destination facility, the merchant
 * guide's default, so only destinations added later count as unmapped.
 */
export async function validateAll(form: OnboardingForm, context: ValidationContext): Promise<Validation> {
  const first = checkFormats(form, context);
  const secrets = first.input.secrets;

  const finaleCheck = has(first.errors, finaleCredentialFields)
    ? undefined
    : checkFinale({
        baseUrl: context.endpoints.finaleBaseUrl,
        accountName: form.finaleAccountName,
        apiKey: secrets.finaleApiKey,
        apiSecret: secrets.finaleApiSecret,
        facilityName: form.destinationFacilityName,
      });
  const loopCheck = first.errors.loopApiKey ? undefined : checkLoopOf(secrets, context);
  const tenantIdCheck =
    context.existing === undefined && first.errors.tenantId === undefined
      ? context.tenantIdTaken(form.tenantId)
      : Promise.resolve(false);
  const [finale, loop, taken] = await Promise.all([finaleCheck, loopCheck, tenantIdCheck]);

  const destinationRows =
    loop?.destinations && context.existing === undefined
      ? withLoopDestinations(form.destinationRows, loop.destinations)
      : undefined;
  const { errors, formErrors, input } = destinationRows
    ? checkFormats({ ...form, destinationRows }, context)
    : first;
  if (finale?.locations)
    checkMappedLocations({ ...form, ...(destinationRows && { destinationRows }) }, finale.locations, errors);

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
    destinationRows,
    tenant: ok ? input : undefined,
  };
}
