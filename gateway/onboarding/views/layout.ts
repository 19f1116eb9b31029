import { onboardingPrefix } from '../../public-urls.ts';
import { html, type HtmlValue, type SafeHtml } from './html.ts';

/** Where the onboarding routes serve `gateway/onboarding/static/`. */
export const assetsPath = `${onboardingPrefix}/assets`;

export interface PageOptions {
  title: string;
  body: HtmlValue;
  /** Extra `<head>` content, e.g. a no-script refresh. */
  head?: HtmlValue;
}

/**
 * The page shell. Styles and the enhancement script are separate files because a strict
 * Content-Security-Policy (helmet on public routes) blocks inline scripts; the pages work without either.
 * `no-referrer` keeps the onboarding link, which carries its token, out of Referer headers.
 */
export function page({ title, body, head }: PageOptions): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>${title} · Loop ↔ Finale</title>
        <link rel="stylesheet" href="${assetsPath}/onboarding.css" />
        <script type="module" src="${assetsPath}/onboarding.js"></script>
        ${head}
      </head>
      <body>
        <header class="masthead">
          <span class="brand">Loop Returns <span aria-hidden="true">↔</span> Finale Inventory</span>
        </header>
        <main>${body}</main>
        <footer class="footer">
          Questions? Email <a href="mailto:support@loopreturns.com">support@loopreturns.com</a>.
        </footer>
      </body>
    </html> `;
}
