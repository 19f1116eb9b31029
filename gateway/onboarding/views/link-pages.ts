import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';

export type UnusableLink = 'unknown' | 'expired' | 'revoked';

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
        integration.${reason === 'unknown' ? '' : ' Any settings you already saved are kept.'}
      </p>
    </section>`,
  });
}
