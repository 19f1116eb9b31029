// The onboarding form as submitted: plain strings per field, exactly as the merchant typed them, so a
// re-rendered form shows their input back (trimmed) rather than a normalised version of it.
import type { DestinationRoute, TenantSettings } from '../../config/tenant-settings.ts';

export interface ReasonRow {
  label: string;
  reasonId: string;
}

/** One Loop destination and where its returns go: `default`, `not-handled` or `location:<Finale name>`. */
export interface DestinationRow {
  id: string;
  /** Its name in Loop ('' when not known). */
  name: string;
  route: string;
}

export const LOCATION_ROUTE_PREFIX = 'location:';

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
  'unmappedDestinations',
  'receiptMismatch',
  /** A checkbox: `on` when ticked, '' otherwise. */
  'loopNoteOnCreate',
  ...secretFields,
] as const;
export type TextField = (typeof textFields)[number];

export type OnboardingForm = Record<TextField, string> & {
  reasonRows: ReasonRow[];
  destinationRows: DestinationRow[];
};

/** Where an error message is shown: a named field, one reason-mapping row or one destination row. */
export type FieldKey = TextField | `reason-${number}` | `destination-${number}`;
export type FieldErrors = Partial<Record<FieldKey, string>>;

/** What the submit button asked for. */
export type Intent = 'save' | 'check-finale' | 'add-rows' | 'load-destinations';
const otherIntents: readonly Intent[] = ['check-finale', 'add-rows', 'load-destinations'];

/** Empty rows always on offer, so mappings can be added without JavaScript. */
export const SPARE_REASON_ROWS = 3;
/** Upper bounds on rows read and offered, so a crafted form cannot make the page arbitrarily large. */
const MAX_REASON_ROWS = 200;
const MAX_SPARE_ROWS = 30;
/** As many as the tenant settings may map. */
const MAX_DESTINATION_ROWS = 500;

export const reasonLabelName = (index: number) => `reason-label-${index}`;
export const reasonIdName = (index: number) => `reason-id-${index}`;
export const destinationIdName = (index: number) => `destination-id-${index}`;
export const destinationNameName = (index: number) => `destination-name-${index}`;
export const destinationRouteName = (index: number) => `destination-route-${index}`;

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
  const destinationRows: DestinationRow[] = [];
  for (let index = 0; index < MAX_DESTINATION_ROWS; index++) {
    const id = text(body, destinationIdName(index));
    if (id === '') break;
    destinationRows.push({
      id,
      name: text(body, destinationNameName(index)),
      route: text(body, destinationRouteName(index)),
    });
  }
  const form = Object.fromEntries(textFields.map((name) => [name, text(body, name)])) as Record<
    TextField,
    string
  >;
  const intentText = text(body, 'intent');
  const intent = otherIntents.find((known) => known === intentText) ?? 'save';
  const useFacility = text(body, 'useFacility') || undefined;
  // Blank rows are dropped here, so error keys (`reason-N`) index the same rows the form re-renders.
  const filled = reasonRows.filter((row) => row.label !== '' || row.reasonId !== '');
  const spare = Number.parseInt(text(body, 'spareRows'), 10);
  const spareRows = Number.isInteger(spare)
    ? Math.min(Math.max(spare, SPARE_REASON_ROWS), MAX_SPARE_ROWS)
    : SPARE_REASON_ROWS;
  return { form: { ...form, reasonRows: filled, destinationRows }, intent, useFacility, spareRows };
}

const routeOf = (route: DestinationRoute): string =>
  route.route === 'location' ? `${LOCATION_ROUTE_PREFIX}${route.facilityName}` : route.route;

/** A row's route as the settings hold it, or undefined when the row's choice is not one of the options. */
export function destinationRoute(row: DestinationRow): DestinationRoute | undefined {
  const loopName = row.name === '' ? {} : { loopName: row.name };
  if (row.route === 'default' || row.route === 'not-handled') return { route: row.route, ...loopName };
  if (row.route.startsWith(LOCATION_ROUTE_PREFIX)) {
    const facilityName = row.route.slice(LOCATION_ROUTE_PREFIX.length).trim();
    if (facilityName !== '') return { route: 'location', facilityName, ...loopName };
  }
  return undefined;
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
    unmappedDestinations: settings.unmappedDestinations,
    receiptMismatch: settings.receiptMismatch,
    loopNoteOnCreate: settings.loopNoteOnCreate ? 'on' : '',
    finaleApiKey: '',
    finaleApiSecret: '',
    loopApiKey: '',
    loopWebhookSecret: '',
    reasonRows: Object.entries(settings.reasonMap).map(([label, reasonId]) => ({ label, reasonId })),
    destinationRows: Object.entries(settings.destinationMap).map(([id, route]) => ({
      id,
      name: route.loopName ?? '',
      route: routeOf(route),
    })),
  };
}

export function emptyForm(): OnboardingForm {
  const form = Object.fromEntries(textFields.map((name) => [name, ''])) as Record<TextField, string>;
  return {
    ...form,
    completionAction: 'process',
    unmappedDestinations: 'default-facility',
    receiptMismatch: 'flag',
    reasonRows: [],
    destinationRows: [],
  };
}

/**
 * The destinations Loop lists, each with the route the form gave it (new ones go to the destination
 * facility), then any the form maps that Loop no longer lists. Names come from Loop.
 */
export function withLoopDestinations(
  rows: DestinationRow[],
  loop: readonly { id: string; name: string }[],
): DestinationRow[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const listed = loop.map((destination) => ({
    id: destination.id,
    name: destination.name,
    route: byId.get(destination.id)?.route ?? 'default',
  }));
  const listedIds = new Set(loop.map((destination) => destination.id));
  return [...listed, ...rows.filter((row) => !listedIds.has(row.id))];
}

/** The filled rows followed by spare empty ones. */
export const withSpareRows = (rows: ReasonRow[], spare = SPARE_REASON_ROWS): ReasonRow[] => [
  ...rows,
  ...Array.from({ length: spare }, () => ({ label: '', reasonId: '' })),
];

/** "Damaged, Wrong item ," → ["Damaged", "Wrong item"]. */
export const splitFlagReasons = (text: string): string[] =>
  text
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
