import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('escapes an existing entity again rather than trusting it', () => {
    expect(escapeHtml('&amp; &lt;')).toBe('&amp;amp; &amp;lt;');
  });

  it('leaves everything else alone', () => {
    expect(escapeHtml('plain text, émoji 🎉, {{7*7}}, \u202e')).toBe(
      'plain text, émoji 🎉, {{7*7}}, \u202e',
    );
    expect(escapeHtml('')).toBe('');
  });
});
