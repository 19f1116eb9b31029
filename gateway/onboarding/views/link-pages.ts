import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';

export type UnusableLink = 'unknown' | 'expired' | 'revoked' | 'gone';

const texts: Record<UnusableLink, { title: string; lead: string }> = {
  unknown: {
    title: 'Link not found',
    lead: 'This onboarding link does not exist. Check that you copied the whole link from the email Loop sent you.',
  },
  expired: {
    title: 'This link has expired',
    lead: 'Onboarding links only work for a limited time, and this one has run out.',
  },
  revoked: {
    title: 'This link was withdrawn',
    lead: 'The Loop team withdrew this onboarding link, usually because a newer one was sent.',
  },
  gone: {
    title: 'This store is no longer connected',
    lead: 'The store this link was made to change has been removed from the integration.',
  },
};

/** What a merchant sees for a link that cannot be used, with the one thing to do next. */
export function unusableLinkPage(reason: UnusableLink): SafeHtml {
  const { title, lead } = texts[reason];
  return page({
    title,
    body: html`<section class="card notice">
      <h1>${title}</h1>
      <p>${lead}</p>
      <p>
        Ask Loop for a new link: email
        <a href="mailto:support@loopreturns.com">support@loopreturns.com</a> and mention the Finale
        integration.${reason === 'expired' || reason === 'revoked' ? ' Any settings you already saved are kept.' : ''}
      </p>
    </section>`,
  });
}

/**
 * A link that has done its job: each link sets up or changes a store once, so a link forwarded or left in
 * an inbox cannot change anything later.
 */
export function usedLinkPage(view: { displayName?: string; testUrl?: string }): SafeHtml {
  return page({
    title: 'This link has been used',
    body: html`<section class="card notice">
      <h1>This link has been used</h1>
      <p>
        ${view.displayName === undefined ? 'Your store' : html`Your store <strong>${view.displayName}</strong>`}
        is connected. Each onboarding link saves settings once, so that a forwarded link cannot change them.
      </p>
      <p>
        To change your settings, ask Loop for a new link: email
        <a href="mailto:support@loopreturns.com">support@loopreturns.com</a> and mention the Finale
        integration.
      </p>
      ${view.testUrl !== undefined && html`<p><a href="${view.testUrl}">See your returns arrive</a>.</p>`}
    </section>`,
  });
}
