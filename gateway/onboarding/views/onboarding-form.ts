import {
  destinationIdName,
  destinationNameName,
  destinationRouteName,
  LOCATION_ROUTE_PREFIX,
  keptWhenBlank,
  reasonIdName,
  reasonLabelName,
  withSpareRows,
  type DestinationRow,
  type FieldErrors,
  type FieldKey,
  type OnboardingForm,
  type SecretField,
  type TextField,
} from '../form.ts';
import { html, type HtmlValue, type SafeHtml } from './html.ts';
import { page } from './layout.ts';

export interface FormView {
  /** Where the form posts: the onboarding link itself. */
  action: string;
  form: OnboardingForm;
  /**
   * `edit`: the link changes an existing tenant; the tenant ID is fixed, blank Finale secrets keep their
   * value, and the Loop key and webhook secret must be typed again.
   */
  mode: 'new' | 'edit';
  errors: FieldErrors;
  /** Problems that belong to no single field (an API that could not be reached, a save that failed). */
  formErrors: string[];
  /** Set once Finale accepted the credentials: its active location names, to pick from. */
  locations?: string[];
  /** An exact Finale location name the typed facility differs from only by case or spacing. */
  facilitySuggestion?: string;
  /** Extra empty reason rows to show (grows with "Add more rows"). */
  spareRows?: number;
  /** Secrets typed in the submission this page answers: never shown again, so they must be retyped. */
  retype?: SecretField[];
}

interface FieldOptions {
  name: TextField;
  label: string;
  hint?: HtmlValue;
  type?: 'text' | 'password';
  required?: boolean;
  readonly?: boolean;
  placeholder?: string;
  autocomplete?: string;
  list?: string;
  /** Rendered after the message, inside the field (e.g. a suggestion button). */
  after?: HtmlValue;
}

const describedBy = (name: FieldKey, hint: boolean, error: boolean) =>
  [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ') || undefined;

function errorMessage(name: FieldKey, message: string | undefined): HtmlValue {
  return message && html`<p class="error" id="${name}-error">${message}</p>`;
}

interface RadioGroupOptions {
  name: 'unmappedDestinations' | 'receiptMismatch';
  question: string;
  value: string;
  error: string | undefined;
  /** The first choice is also the one checked when the value is none of them. */
  choices: [string, HtmlValue][];
}

function radioGroup(options: RadioGroupOptions): SafeHtml {
  const selected = options.choices.some(([value]) => value === options.value)
    ? options.value
    : options.choices[0]?.[0];
  return html`<div
    class="field${options.error ? ' has-error' : ''}"
    role="radiogroup"
    aria-labelledby="${options.name}-label"
  >
    <p class="label" id="${options.name}-label">${options.question}</p>
    ${options.choices.map(
      ([value, label]) =>
        html`<label class="choice"
          ><input
            type="radio"
            name="${options.name}"
            value="${value}"
            ${value === selected ? html` checked` : ''}
          />
          <span>${label}</span></label
        >`,
    )}
    ${errorMessage(options.name, options.error)}
  </div>`;
}

/** The options for one destination: the destination facility, each Finale location, or not handled. */
function routeOptions(row: DestinationRow, facility: string, locations: string[] | undefined): SafeHtml {
  const current = row.route.startsWith(LOCATION_ROUTE_PREFIX)
    ? row.route.slice(LOCATION_ROUTE_PREFIX.length)
    : undefined;
  // The location saved earlier stays on offer even before Finale's list is loaded.
  const names = [
    ...(locations ?? []),
    ...(current !== undefined && !locations?.includes(current) ? [current] : []),
  ];
  const option = (value: string, label: string) =>
    html`<option value="${value}" ${row.route === value ? html` selected` : ''}>${label}</option>`;
  return html`${option('default', facility ? `The destination facility (${facility})` : 'The destination facility')}
  ${names.map((name) => option(`${LOCATION_ROUTE_PREFIX}${name}`, `Finale location: ${name}`))}
  ${option('not-handled', 'Not handled in Finale: leave these returns alone')}`;
}

function destinationsFieldset(view: FormView): SafeHtml {
  const { form, errors } = view;
  const rows = form.destinationRows;
  return html`<fieldset>
    <legend>Destinations</legend>
    <p class="hint">
      Loop sends each return to one of your destinations. Choose which Finale location receives the returns
      sent to each one. By default they all go to the destination facility above. A destination Finale does
      not handle (a retail store, a 3PL outside Finale) can be left out: its returns are skipped, nothing is
      created in Finale and Loop is left alone.
    </p>
    ${
      rows.length > 0
        ? html`<table class="destinations">
            <thead>
              <tr>
                <th scope="col">Loop destination</th>
                <th scope="col">Its returns go to</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map((row, index) => {
                const key: FieldKey = `destination-${index}`;
                const error = errors[key];
                const label = row.name === '' ? `Destination ${row.id}` : row.name;
                return html`<tr class="${error ? 'has-error' : ''}" data-destination-id="${row.id}">
                  <td>
                    <label for="${destinationRouteName(index)}">${label}</label>
                    <span class="detail">ID ${row.id}</span>
                    <input type="hidden" name="${destinationIdName(index)}" value="${row.id}" />
                    <input type="hidden" name="${destinationNameName(index)}" value="${row.name}" />
                  </td>
                  <td>
                    <select
                      id="${destinationRouteName(index)}"
                      name="${destinationRouteName(index)}"
                      ${error ? html` aria-invalid="true" aria-describedby="${key}-error"` : ''}
                    >
                      ${routeOptions(row, form.destinationFacilityName, view.locations)}
                    </select>
                    ${errorMessage(key, error)}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : html`<p class="hint" id="no-destinations">
            Your Loop destinations are listed here once your Loop API key and Finale credentials are filled in
            and loaded. Without a choice, every destination goes to the destination facility.
          </p>`
    }
    <button type="submit" name="intent" value="load-destinations" class="secondary" formnovalidate>
      ${rows.length > 0 ? 'Reload destinations and locations' : 'Load destinations from Loop'}
    </button>
    ${radioGroup({
      name: 'unmappedDestinations',
      question: 'A destination added in Loop later, not in this table…',
      value: form.unmappedDestinations,
      error: errors.unmappedDestinations,
      choices: [
        ['default-facility', html`<strong>goes to the destination facility</strong>, like the others.`],
        [
          'hold',
          html`<strong>is held for review</strong>: its returns wait until you choose a location for it here.`,
        ],
      ],
    })}
  </fieldset>`;
}

export function renderOnboardingForm(view: FormView): SafeHtml {
  const { form, errors, mode } = view;
  const edit = mode === 'edit';

  const field = (options: FieldOptions) => {
    const error = errors[options.name];
    const ids = describedBy(options.name, options.hint !== undefined, error !== undefined);
    // A secret is never written into the page, not even one the merchant has just typed.
    const value = options.type === 'password' ? '' : form[options.name];
    return html`<div class="field${error ? ' has-error' : ''}">
      <label for="${options.name}">${options.label}</label>
      <input
        id="${options.name}"
        name="${options.name}"
        type="${options.type ?? 'text'}"
        value="${value}"
        ${options.required ? html` required` : ''}${options.readonly ? html` readonly` : ''}
        ${options.placeholder ? html` placeholder="${options.placeholder}"` : ''}
        autocomplete="${options.autocomplete ?? 'off'}"
        spellcheck="false"
        ${options.list ? html` list="${options.list}"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}${error ? html` aria-invalid="true"` : ''}
      />
      ${options.hint !== undefined && html`<p class="hint" id="${options.name}-hint">${options.hint}</p>`}
      ${errorMessage(options.name, error)} ${options.after}
    </div>`;
  };

  const secretField = (name: SecretField, label: string, hint: string) => {
    const keep = edit && keptWhenBlank.includes(name);
    const notes = [
      hint,
      keep ? 'Leave blank to keep the one you saved.' : edit ? 'Type it again to save changes.' : '',
      view.retype?.includes(name) ? 'For your safety what you typed is not shown again: type it again.' : '',
    ];
    return field({
      name,
      label,
      type: 'password',
      hint: notes.filter((note) => note !== '').join(' '),
      required: !keep,
      placeholder: keep ? 'Saved — leave blank to keep' : undefined,
      autocomplete: 'new-password',
    });
  };

  const errorCount = Object.keys(errors).length + view.formErrors.length;
  const rows = withSpareRows(form.reasonRows, view.spareRows);

  const body = html` <section class="intro">
      <h1>${edit ? 'Update your Finale connection' : 'Connect Finale Inventory to Loop'}</h1>
      <p class="lead">
        ${
          edit
            ? html`Your store <strong>${form.displayName}</strong> is connected. Change anything below, type
                your Loop API key and webhook secret again, and save; every setting is checked again with
                Finale and Loop. This link saves once.
                <a href="${view.action}/test">Watch your returns arrive</a>.`
            : html`When a customer submits a return in Loop, a return is created in Finale at your warehouse.
              When your team completes it in Finale, Loop is updated. Setup takes about five minutes; every
              setting is checked with Finale and Loop before it is saved.`
        }
      </p>
      ${
        !edit &&
        html`<details class="needs">
          <summary>What you'll need</summary>
          <ul>
            <li>
              Your <strong>Finale API key and secret</strong> (Finale → Settings → API) and your
              <strong>Finale account name</strong>: the part of your Finale web address after
              <code>app.finaleinventory.com/</code>.
            </li>
            <li>
              A <strong>Loop API key</strong> with the scopes Returns, Developer Tools and Destinations (Read)
              (Loop Admin → Returns management → Tools &amp; integrations → Developer tools), and the
              <strong>webhook secret</strong> shown on the same page.
            </li>
            <li>The exact name of the <strong>Finale location</strong> that receives returns.</li>
            <li>
              If Loop sends returns to more than one <strong>destination</strong> (a second warehouse, a
              retail store, a 3PL), which Finale location receives each one's returns, and which are not
              handled in Finale at all (their returns are left alone). With one destination there is nothing
              to choose.
            </li>
            <li>
              What should happen when your warehouse <strong>receives something else</strong> than the return
              lists (fewer units, another product): hold the return for review in Loop (the default), or
              complete it anyway. Either way a note in Loop lists the differences.
            </li>
          </ul>
        </details>`
      }
    </section>

    ${
      errorCount > 0 &&
      html`<div class="alert" role="alert" id="form-errors">
        <p>
          <strong
            >${errorCount === 1 ? 'One thing needs' : `${errorCount} things need`} your attention.</strong
          >
          ${Object.keys(errors).length > 0 ? 'Each is explained next to its field below.' : ''}
        </p>
        ${
          view.formErrors.length > 0 &&
          html`<ul>
            ${view.formErrors.map((message) => html`<li>${message}</li>`)}
          </ul>`
        }
      </div>`
    }

    <form method="post" action="${view.action}" class="onboarding" data-mode="${mode}">
      <!-- First in the form, so pressing Enter in any field saves rather than checking credentials. -->
      <button
        type="submit"
        name="intent"
        value="save"
        class="visually-hidden"
        tabindex="-1"
        aria-hidden="true"
      >
        Save
      </button>
      <fieldset>
        <legend>Your store</legend>
        ${field({ name: 'displayName', label: 'Store name', required: true, hint: 'How your store is named to the Loop team.' })}
        ${field({
          name: 'tenantId',
          label: 'Store ID',
          required: !edit,
          readonly: edit,
          hint: edit
            ? 'Fixed once set up: it is part of your webhook address.'
            : 'A short ID for your store, suggested from its name: lower-case letters, digits and hyphens. It becomes part of your webhook address and cannot be changed later.',
        })}
      </fieldset>

      <fieldset>
        <legend>Finale Inventory</legend>
        ${field({
          name: 'finaleAccountName',
          label: 'Finale account name',
          required: true,
          hint: html`The part of your Finale web address after <code>app.finaleinventory.com/</code>. For
            <code>https://app.finaleinventory.com/mystore/</code> it is <code>mystore</code>.`,
        })}
        ${secretField('finaleApiKey', 'Finale API key', 'From Finale → Settings → API.')}
        ${secretField('finaleApiSecret', 'Finale API secret', 'Shown with the API key when it was created.')}
        <div class="check">
          <button type="submit" name="intent" value="check-finale" class="secondary" formnovalidate>
            Check Finale credentials
          </button>
          ${
            view.locations !== undefined &&
            html`<p class="ok" id="finale-ok">
              ✓ Finale accepted these credentials.
              ${
                view.locations.length > 0
                  ? html`Locations in this account:
                    ${view.locations.map((name, i) => html`${i > 0 ? ', ' : ''}<strong>${name}</strong>`)}.`
                  : 'This account has no active locations yet: add one in Finale under Settings → Facilities.'
              }
            </p>`
          }
        </div>
        ${field({
          name: 'destinationFacilityName',
          label: 'Destination facility',
          required: true,
          list: view.locations !== undefined && view.locations.length > 0 ? 'finale-locations' : undefined,
          hint:
            view.locations !== undefined
              ? 'Pick a location from your Finale account, or type its name exactly as Finale shows it.'
              : 'The Finale location that receives returns, exactly as it appears in Finale under Settings → Facilities (capital letters and spaces included). Check your Finale credentials above to pick from a list.',
          after:
            view.facilitySuggestion !== undefined &&
            html`<button
              type="submit"
              name="useFacility"
              value="${view.facilitySuggestion}"
              class="suggestion"
              formnovalidate
              data-fill="destinationFacilityName"
            >
              Use “${view.facilitySuggestion}”
            </button>`,
        })}
        ${
          view.locations !== undefined &&
          view.locations.length > 0 &&
          html`<datalist id="finale-locations">
            ${view.locations.map((name) => html`<option value="${name}"></option>`)}
          </datalist>`
        }
      </fieldset>

      <fieldset>
        <legend>Loop</legend>
        ${secretField(
          'loopApiKey',
          'Loop API key',
          'Loop Admin → Returns management → Tools & integrations → Developer tools. It needs the scopes Returns, Developer Tools and Destinations (Read).',
        )}
        ${secretField(
          'loopWebhookSecret',
          'Loop webhook secret',
          'Shown on the same Developer tools page. It lets us check that webhooks really come from Loop.',
        )}
      </fieldset>

      ${destinationsFieldset(view)}

      <fieldset>
        <legend>Return reasons <span class="optional">optional</span></legend>
        <p class="hint">
          Map Loop return reasons to Finale return-reason IDs (Finale → Application settings → Selling →
          Returns → Return reasons; use the ID such as <code>##user_00003</code>, not the name). Unmapped
          reasons are left out of the Finale return; the return is still created.
        </p>
        <table class="reasons">
          <thead>
            <tr>
              <th scope="col">Loop reason</th>
              <th scope="col">Finale reason ID</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((row, index) => {
              const key: FieldKey = `reason-${index}`;
              const error = errors[key];
              const ids = describedBy(key, false, error !== undefined);
              const invalid = error ? html` aria-invalid="true" aria-describedby="${ids}"` : '';
              return html`<tr class="${error ? 'has-error' : ''}">
                <td>
                  <input
                    name="${reasonLabelName(index)}"
                    value="${row.label}"
                    aria-label="Loop reason ${index + 1}"
                    placeholder="${index === 0 ? 'e.g. Damaged' : ''}"
                    autocomplete="off"
                    ${invalid}
                  />
                </td>
                <td>
                  <input
                    name="${reasonIdName(index)}"
                    value="${row.reasonId}"
                    aria-label="Finale reason ID ${index + 1}"
                    placeholder="${index === 0 ? '##user_00003' : ''}"
                    autocomplete="off"
                    spellcheck="false"
                    ${invalid}
                  />
                  ${errorMessage(key, error)}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
        <input type="hidden" name="spareRows" value="${rows.length - form.reasonRows.length}" />
        <button type="submit" name="intent" value="add-rows" class="secondary" formnovalidate>
          Add more rows
        </button>
      </fieldset>

      <fieldset>
        <legend>Review and completion</legend>
        ${field({
          name: 'flagReasons',
          label: 'Flag reasons (optional)',
          hint: 'Loop reasons, separated by commas, whose returns are held for manual review in Loop instead of being completed automatically, e.g. "Damaged, Wrong item".',
        })}
        <div
          class="field${errors.completionAction ? ' has-error' : ''}"
          role="radiogroup"
          aria-labelledby="completionAction-label"
        >
          <p class="label" id="completionAction-label">
            When your warehouse completes a return in Finale, in Loop…
          </p>
          <label class="choice"
            ><input
              type="radio"
              name="completionAction"
              value="process"
              ${form.completionAction !== 'close' ? html` checked` : ''}
            />
            <span
              ><strong>Process it</strong>: issues the customer's refund, exchange or store credit, then
              closes the return.</span
            ></label
          >
          <label class="choice"
            ><input
              type="radio"
              name="completionAction"
              value="close"
              ${form.completionAction === 'close' ? html` checked` : ''}
            />
            <span
              ><strong>Close it</strong>: closes the return without issuing refunds, exchanges or credit (you
              handle those yourself).</span
            ></label
          >
          ${errorMessage('completionAction', errors.completionAction)}
        </div>
        ${radioGroup({
          name: 'receiptMismatch',
          question:
            'When the warehouse receives something else than the return lists (fewer or more units, another product, a line missing), in Loop…',
          value: form.receiptMismatch,
          error: errors.receiptMismatch,
          choices: [
            [
              'flag',
              html`<strong>Hold it for review</strong>: flag it, with a note listing each difference (e.g.
                “TEE-BLK-M: expected 2, received 1”). Nothing is refunded until your team decides.`,
            ],
            ['process', html`<strong>Complete it anyway</strong>, as set above, with the same note.`],
          ],
        })}
        <div class="field">
          <label class="choice"
            ><input
              type="checkbox"
              name="loopNoteOnCreate"
              value="on"
              ${form.loopNoteOnCreate === 'on' ? html` checked` : ''}
            />
            <span
              ><strong>Add a note in Loop</strong> when the Finale return is created, naming it and its
              location (e.g. “Finale return LOOP-123 created at Main Warehouse”), so your team sees the link
              in Loop Admin.</span
            ></label
          >
        </div>
      </fieldset>

      <div class="actions">
        <button type="submit" name="intent" value="save" class="primary">
          ${edit ? 'Save changes' : 'Save and connect'}
        </button>
        <p class="hint">
          We check everything with Finale and Loop, register Loop's webhooks for your store and start watching
          Finale for completed returns.
        </p>
      </div>
    </form>`;

  return page({ title: edit ? 'Update your Finale connection' : 'Connect Finale', body });
}
