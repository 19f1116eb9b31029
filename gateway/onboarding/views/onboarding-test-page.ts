import type { DestinationRoute, TenantSettings } from '../../../config/tenant-settings.ts';
import type { TenantReturn } from '../tenant-returns.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';

/** Seconds between refreshes of the returns list (script or, without JavaScript, the whole page). */
export const REFRESH_SECONDS = 3;

const stageLabels: Record<TenantReturn['stage'], string> = {
  received: 'Received from Loop',
  resolving: 'Finding the order and products in Finale',
  'creating-finale-return': 'Creating the Finale return',
  'awaiting-finale-completion': 'Waiting for your warehouse to complete it in Finale',
  'updating-loop': 'Updating Loop',
  done: 'Done',
  'needs-attention': 'Needs attention',
  paused: 'Held while the connection is paused',
  cancelled: 'Cancelled',
  skipped: 'Skipped: its Loop destination is not handled in Finale',
  failed: 'Stopped by an error: please email support@loopreturns.com',
  stopped: 'Stopped by an operator',
};

const outcomeLabels: Record<NonNullable<TenantReturn['outcome']>, string> = {
  processed: 'processed in Loop',
  closed: 'closed in Loop',
  flagged: 'flagged for review in Loop',
  cancelled: 'cancelled',
  'already-closed-in-loop': 'was already closed in Loop',
  'already-handled': 'was already handled earlier',
  'not-open-in-loop': 'no longer open in Loop: nothing to do',
  skipped: 'left alone in Loop',
};

const tone = (stage: TenantReturn['stage']) =>
  stage === 'done'
    ? 'good'
    : stage === 'needs-attention' || stage === 'failed'
      ? 'bad'
      : stage === 'cancelled' || stage === 'stopped' || stage === 'skipped'
        ? 'muted'
        : 'busy';

/** The returns table alone: the page embeds it and the enhancement script swaps it in place. */
export function renderReturnsList(returns: TenantReturn[]): SafeHtml {
  if (returns.length === 0) {
    return html`<p class="empty" id="no-returns">
      No returns yet. Submit one in Loop: it shows up here within a few seconds.
    </p>`;
  }
  return html`<table class="returns">
    <thead>
      <tr>
        <th scope="col">Loop return</th>
        <th scope="col">Order</th>
        <th scope="col">Finale return</th>
        <th scope="col">Finale location</th>
        <th scope="col">Stage</th>
      </tr>
    </thead>
    <tbody>
      ${returns.map(
        (item) =>
          html`<tr data-loop-return-id="${item.loopReturnId}" data-stage="${item.stage}">
            <td>${item.loopReturnId}</td>
            <td>${item.orderName ?? '—'}</td>
            <td>${item.finaleReturnId ?? '—'}</td>
            <td class="location">${item.facilityName ?? '—'}</td>
            <td>
              <span class="stage ${tone(item.stage)}"
                >${stageLabels[item.stage]}${item.outcome && html`: ${outcomeLabels[item.outcome]}`}</span
              >
              ${item.stage !== 'done' && item.waitingFor && html`<span class="detail">${item.waitingFor}</span>`}
              ${item.fix && html`<span class="detail">What to do: ${item.fix}</span>`}
              ${item.receiptDifferences?.map(
                (line) => html`<span class="detail receipt">Received differently: ${line}</span>`,
              )}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export interface TestPageView {
  settings: TenantSettings;
  webhookUrl: string;
  /** The form, while this link may still save; a used link cannot. */
  editUrl?: string;
  /** When the settings last changed, through which link (invite ID), and whether that was this link. */
  lastChange: { at: Date; via?: string; thisLink: boolean };
  /** The fragment the script polls. */
  returnsUrl: string;
  returns: TenantReturn[];
  /** False when the list could not be read just now (Temporal unreachable). */
  listAvailable: boolean;
}

/** Some Loop destination goes elsewhere than the destination facility. */
const routedElsewhere = (settings: TenantSettings) =>
  Object.values(settings.destinationMap).some((route) => route.route !== 'default');

function describeRoute(route: DestinationRoute, settings: TenantSettings): string {
  if (route.route === 'location') return route.facilityName;
  if (route.route === 'not-handled') return 'not handled in Finale (skipped)';
  return settings.destinationFacilityName;
}

/** "2026-05-04 14:03 UTC, through this link" — so a merchant notices a change they did not make. */
function describeChange({ at, via, thisLink }: TestPageView['lastChange']): SafeHtml {
  const when = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (via === undefined) return html`${when}, by the Loop team`;
  return thisLink
    ? html`${when}, through this link`
    : html`${when}, through another onboarding link (<code>${via}</code>)`;
}

export function renderTestPage(view: TestPageView): SafeHtml {
  const { settings } = view;
  const onComplete =
    settings.completionAction === 'close'
      ? 'closed (no refund or exchange is issued)'
      : "processed: the customer's refund, exchange or credit is issued";
  const body = html` <section class="intro">
      <h1>Test with a live return</h1>
      <p class="lead">
        Your store <strong>${settings.displayName}</strong> is connected. Send one return through to see
        everything working.
      </p>
    </section>

    <section class="card">
      <ol class="steps">
        <li>
          <strong>Submit a return in Loop</strong>, as a customer would in your returns portal, for an order
          that has already synced to Finale.
        </li>
        <li>
          <strong>Watch it appear below</strong> within a few seconds. A return is then created in Finale at
          ${
            routedElsewhere(settings)
              ? html`the location its Loop destination goes to (below: <strong>Finale location</strong>)`
              : html`<strong>${settings.destinationFacilityName}</strong>`
          }.
        </li>
        <li>
          <strong>Complete it in Finale</strong> once your warehouse has received it. Within a few minutes the
          Loop return is
          ${onComplete}${settings.flagReasons.length > 0 && html`, or flagged for review if its reason is one of ${settings.flagReasons.join(', ')}`}.
        </li>
      </ol>
    </section>

    <section class="card">
      <h2>Your returns</h2>
      <div
        id="returns"
        data-refresh-url="${view.returnsUrl}"
        data-refresh-seconds="${REFRESH_SECONDS}"
        aria-live="polite"
      >
        ${view.listAvailable ? renderReturnsList(view.returns) : html`<p class="empty">Returns cannot be listed just now; this page keeps trying.</p>`}
      </div>
      <p class="hint">
        This list refreshes by itself. Returns keep flowing whether or not this page is open.
      </p>
    </section>

    <section class="card">
      <h2>Your settings</h2>
      <dl class="summary">
        <dt>Store ID</dt>
        <dd><code>${settings.tenantId}</code></dd>
        <dt>Finale account</dt>
        <dd>${settings.finaleAccountName}</dd>
        <dt>Destination facility</dt>
        <dd>${settings.destinationFacilityName}</dd>
        ${
          routedElsewhere(settings) &&
          html`<dt>Destinations</dt>
            <dd>
              ${Object.entries(settings.destinationMap).map(
                ([id, route]) =>
                  html`<span class="detail"
                    >${route.loopName ?? `Destination ${id}`} → ${describeRoute(route, settings)}</span
                  >`,
              )}
            </dd>`
        }
        <dt>Mapped reasons</dt>
        <dd>${Object.keys(settings.reasonMap).length || 'none'}</dd>
        <dt>Loop webhook address</dt>
        <dd><code>${view.webhookUrl}</code></dd>
        <dt>Last changed</dt>
        <dd id="last-change">${describeChange(view.lastChange)}</dd>
      </dl>
      ${
        view.editUrl === undefined
          ? html`<p>
              To change these settings, ask Loop for a new link: each link saves once, so a forwarded link
              cannot change them.
            </p>`
          : html`<p><a href="${view.editUrl}">Change settings</a></p>`
      }
    </section>`;

  return page({
    title: 'Test with a live return',
    head: html`<noscript><meta http-equiv="refresh" content="${REFRESH_SECONDS * 2}" /></noscript>`,
    body,
  });
}
