import { describe, expect, it } from 'vitest';
import { html, raw } from './html.js';

describe('html', () => {
  it('escapes interpolations, in text and attributes', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<p title="${'" onmouseover="x'}">${name}</p>`.value;
    expect(out).toBe(
      '<p title="&quot; onmouseover=&quot;x">&lt;img src=x onerror=alert(1)&gt;</p>',
    );
  });

  it('keeps nested templates and raw() markup, renders arrays and skips empty values', () => {
    const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    const out = html`<ul>${items}</ul>${null}${undefined}${false}${raw('<br>')}`.value;
    expect(out).toBe('<ul><li>a&amp;b</li><li>c</li></ul><br>');
  });
});
