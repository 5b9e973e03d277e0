import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-text.js';

describe('htmlToText', () => {
  it('keeps the text of a Mastodon profile note, paragraphs and line breaks as newlines', () => {
    expect(
      htmlToText(
        '<p>Hi &amp; welcome<br>line two</p><p><a href="https://x.example/" rel="nofollow"><span class="invisible">https://</span>x.example</a> &#x1F600;&#39;</p>',
      ),
    ).toBe("Hi & welcome\nline two\n\nhttps://x.example 😀'");
  });

  it('drops scripts as tags and keeps what is text, escaped nothing', () => {
    expect(htmlToText('<script>alert(1)</script>&lt;b&gt;')).toBe('alert(1)<b>');
  });
});
