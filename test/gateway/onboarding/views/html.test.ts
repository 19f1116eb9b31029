import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../../gateway/onboarding/views/html.ts';

describe('html templates', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    expect(html`<p title="${hostile}">${hostile}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">' +
        '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('passes nested templates through once, joins lists and drops empty values', () => {
    const items = ['a<b', 'c'].map((text) => html`<li>${text}</li>`);
    // prettier-ignore
    const markup = html`<ul>${items}</ul>${false}${undefined}${null}${0}`;
    expect(markup.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });

  it('escapes the characters that matter and nothing else', () => {
    expect(escapeHtml('Tools & integrations → “Main Warehouse”')).toBe(
      'Tools &amp; integrations → “Main Warehouse”',
    );
  });
});
