// The onboarding form as submitted: plain strings per field, exactly as the merchant typed them, so a
// re-rendered form shows their input back (trimmed) rather than a normalised version of it.
import type { TenantSettings } from '../../config/tenant-settings.ts';

export interface ReasonRow {
  label: string;
  reasonId: string;
}

export const secretFields = ['finaleApiKey', 'finaleApiSecret', 'loopApiKey', 'loopWebhookSecret'] as const;
export type SecretField = (typeof secretFields)[number];
/**
 * When a connected store is changed, these may be left blank to keep the saved ones. The Loop key and
 * webhook secret must be typed again: they register and verify the webhooks, so whoever holds only a link
 * cannot touch the subscriptions.
 */
export const keptWhenBlank: readonly SecretField[] = ['finaleApiKey', 'finaleApiSecret'];

export const textFields = [
  'displayName',
  'tenantId',
  'finaleAccountName',
  'destinationFacilityName',
  'flagReasons',
  'completionAction',
  ...secretFields,
] as const;
export type TextField = (typeof textFields)[number];

export type OnboardingForm = Record<TextField, string> & { reasonRows: ReasonRow[] };

/** Where an error message is shown: a named field, or one reason-mapping row. */
export type FieldKey = TextField | `reason-${number}`;
export type FieldErrors = Partial<Record<FieldKey, string>>;

/** What the submit button asked for. */
export type Intent = 'save' | 'check-finale' | 'add-rows';

/** Empty rows always on offer, so mappings can be added without JavaScript. */
export const SPARE_REASON_ROWS = 3;
/** Upper bounds on rows read and offered, so a crafted form cannot make the page arbitrarily large. */
const MAX_REASON_ROWS = 200;
const MAX_SPARE_ROWS = 30;

export const reasonLabelName = (index: number) => `reason-label-${index}`;
export const reasonIdName = (index: number) => `reason-id-${index}`;

/** @fastify/formbody gives a string, or an array for a repeated name; anything else counts as absent. */
function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first.trim() : '';
}

export interface Submission {
  form: OnboardingForm;
  intent: Intent;
  /** A "Use this name" button for a suggested facility name. */
  useFacility?: string;
  /** Empty reason rows the form showed; "Add more rows" adds to it. */
  spareRows: number;
}

export function parseSubmission(raw: unknown): Submission {
  const body = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const reasonRows: ReasonRow[] = [];
  for (let index = 0; index < MAX_REASON_ROWS; index++) {
    if (!(reasonLabelName(index) in body) && !(reasonIdName(index) in body)) break;
    reasonRows.push({ label: text(body, reasonLabelName(index)), reasonId: text(body, reasonIdName(index)) });
  }
  const form = Object.fromEntries(textFields.map((name) => [name, text(body, name)])) as Record<
    TextField,
    string
  >;
  const intentText = text(body, 'intent');
  const intent: Intent = intentText === 'check-finale' || intentText === 'add-rows' ? intentText : 'save';
  const useFacility = text(body, 'useFacility') || undefined;
  // Blank rows are dropped here, so error keys (`reason-N`) index the same rows the form re-renders.
  const filled = reasonRows.filter((row) => row.label !== '' || row.reasonId !== '');
  const spare = Number.parseInt(text(body, 'spareRows'), 10);
  const spareRows = Number.isInteger(spare)
    ? Math.min(Math.max(spare, SPARE_REASON_ROWS), MAX_SPARE_ROWS)
    : SPARE_REASON_ROWS;
  return { form: { ...form, reasonRows: filled }, intent, useFacility, spareRows };
}

/** The secrets the merchant typed in this submission (never rendered back: they must type them again). */
export const typedSecrets = (form: OnboardingForm): SecretField[] =>
  secretFields.filter((name) => form[name] !== '');

/** The saved non-secret settings as form values; secrets stay blank ("keep the current one"). */
export function formFromSettings(settings: TenantSettings): OnboardingForm {
  return {
    displayName: settings.displayName,
    tenantId: settings.tenantId,
    finaleAccountName: settings.finaleAccountName,
    destinationFacilityName: settings.destinationFacilityName,
    flagReasons: settings.flagReasons.join(', '),
    completionAction: settings.completionAction,
    finaleApiKey: '',
    finaleApiSecret: '',
    loopApiKey: '',
    loopWebhookSecret: '',
    reasonRows: Object.entries(settings.reasonMap).map(([label, reasonId]) => ({ label, reasonId })),
  };
}

export function emptyForm(): OnboardingForm {
  const form = Object.fromEntries(textFields.map((name) => [name, ''])) as Record<TextField, string>;
  return { ...form, completionAction: 'process', reasonRows: [] };
}

/** The filled rows followed by spare empty ones. */
export const withSpareRows = (rows: ReasonRow[], spare = SPARE_REASON_ROWS): ReasonRow[] => [
  ...rows,
  ...Array.from({ length: spare }, () => ({ label: '', reasonId: '' })),
];

/** A tenant ID suggested from the display name: "Acme Outdoor Co." → "acme-outdoor-co". */
export function suggestTenantId(displayName: string): string {
  return displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** "Damaged, Wrong item ," → ["Damaged", "Wrong item"]. */
export const splitFlagReasons = (text: string): string[] =>
  text
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
