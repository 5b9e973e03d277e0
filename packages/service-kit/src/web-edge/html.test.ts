import { describe, expect, it } from 'vitest';
import { html, toHtmlString, trustedHtml } from './html.js';

describe('html template', () => {
  it('escapes every interpolation', () => {
    const name = '<script>alert(1)</script>"\'&';
    expect(toHtmlString(html`<p title="${name}">${name}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;</p>',
    );
  });

  it('keeps nested templates and joins arrays', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(toHtmlString(html`<ul>${items}</ul>`)).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  });

  it('renders nothing for null, undefined and booleans', () => {
    expect(toHtmlString(html`${null}${undefined}${false}${true}${0}`)).toBe('0');
  });

  it('does not treat look-alike objects as safe', () => {
    const fake = { value: '<b>' } as unknown as string;
    expect(toHtmlString(html`${fake}`)).toBe('[object Object]');
    expect(toHtmlString(html`${trustedHtml('<b>ok</b>')}`)).toBe('<b>ok</b>');
  });

  it('escapes in attributes too', () => {
    const out = toHtmlString(html`<p title="${'" onmouseover="x'}">x</p>`);
    expect(out).toBe('<p title="&quot; onmouseover=&quot;x">x</p>');
  });
});
