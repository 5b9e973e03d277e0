import { describe, expect, it } from 'vitest';
import { renderPlainTextHtml, renderStatusHtml, type RenderLinks } from './render.js';

const KNOWN_ACCOUNTS = new Set(['alice', 'bob_42']);

const links: RenderLinks = {
  profileUrl: (username) =>
    KNOWN_ACCOUNTS.has(username) ? `https://murmur.example/@${username}` : null,
  tagUrl: (name) => `https://murmur.example/tags/${encodeURIComponent(name)}`,
};

function render(text: string): string {
  return renderStatusHtml(text, links);
}

function mentionHtml(href: string, username: string): string {
  return `<span class="h-card" translate="no"><a href="${href}" class="u-url mention">@<span>${username}</span></a></span>`;
}

function linkHtml(href: string, prefix: string, visible: string, hidden = ''): string {
  const visibleClass = hidden === '' ? '' : 'ellipsis';
  return `<a href="${href}" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">${prefix}</span><span class="${visibleClass}">${visible}</span><span class="invisible">${hidden}</span></a>`;
}

describe('renderStatusHtml', () => {
  describe('paragraphs and line breaks', () => {
    it('wraps text in a paragraph', () => {
      expect(render('Hello world')).toBe('<p>Hello world</p>');
    });

    it('renders empty and whitespace-only text as an empty string', () => {
      expect(render('')).toBe('');
      expect(render(' \n\t\n ')).toBe('');
    });

    it('turns a single newline into <br />', () => {
      expect(render('one\ntwo\nthree')).toBe('<p>one<br />two<br />three</p>');
    });

    it('splits paragraphs on blank lines, however many', () => {
      expect(render('one\n\ntwo\n\n\n\nthree')).toBe('<p>one</p><p>two</p><p>three</p>');
    });

    it('treats a line holding only spaces as blank', () => {
      expect(render('one\n \t \ntwo')).toBe('<p>one</p><p>two</p>');
    });

    it('mixes paragraphs and line breaks', () => {
      expect(render('a\nb\n\nc\nd')).toBe('<p>a<br />b</p><p>c<br />d</p>');
    });

    it('normalizes CRLF and CR line endings first', () => {
      expect(render('a\r\nb\r\n\r\nc\rd')).toBe('<p>a<br />b</p><p>c<br />d</p>');
    });

    it('drops leading blank lines and trailing whitespace', () => {
      expect(render('\n\n  \nhello\n\n')).toBe('<p>hello</p>');
      expect(render('  indented')).toBe('<p>  indented</p>');
    });

    it('keeps a line break right next to a link', () => {
      expect(render('#tag\n@alice')).toBe(
        `<p><a href="https://murmur.example/tags/tag" class="mention hashtag" rel="tag">#<span>tag</span></a><br />${mentionHtml('https://murmur.example/@alice', 'alice')}</p>`,
      );
    });
  });

  describe('mentions', () => {
    it('link an existing local account with Mastodon h-card markup', () => {
      expect(render('Hi @alice!')).toBe(
        `<p>Hi ${mentionHtml('https://murmur.example/@alice', 'alice')}!</p>`,
      );
    });

    it('show the username as written and look it up lower-cased', () => {
      expect(render('@Bob_42')).toBe(
        `<p>${mentionHtml('https://murmur.example/@bob_42', 'Bob_42')}</p>`,
      );
    });

    it('of an unknown account render as plain text', () => {
      expect(render('Hi @nobody.')).toBe('<p>Hi @nobody.</p>');
    });

    it('of a remote account render as plain text without asking for a profile', () => {
      const asked: string[] = [];
      const recording: RenderLinks = {
        profileUrl: (username) => {
          asked.push(username);
          return `https://murmur.example/@${username}`;
        },
        tagUrl: links.tagUrl,
      };
      expect(renderStatusHtml('cc @alice@remote.example', recording)).toBe(
        '<p>cc @alice@remote.example</p>',
      );
      expect(asked).toEqual([]);
    });

    it('in email addresses stay plain text', () => {
      expect(render('alice@murmur.example')).toBe('<p>alice@murmur.example</p>');
    });

    it('accept a root-relative profile path', () => {
      const relative: RenderLinks = { profileUrl: (u) => `/@${u}`, tagUrl: (n) => `/tags/${n}` };
      expect(renderStatusHtml('@alice #x', relative)).toBe(
        `<p>${mentionHtml('/@alice', 'alice')} <a href="/tags/x" class="mention hashtag" rel="tag">#<span>x</span></a></p>`,
      );
    });
  });

  describe('hashtags', () => {
    it('link to the tag page with the name as written', () => {
      expect(render('Love #TypeScript')).toBe(
        '<p>Love <a href="https://murmur.example/tags/typescript" class="mention hashtag" rel="tag">#<span>TypeScript</span></a></p>',
      );
    });

    it('pass the normalized name to tagUrl', () => {
      expect(render('#Café')).toBe(
        '<p><a href="https://murmur.example/tags/caf%C3%A9" class="mention hashtag" rel="tag">#<span>Café</span></a></p>',
      );
    });

    it('that are only digits stay plain text', () => {
      expect(render('#123')).toBe('<p>#123</p>');
    });
  });

  describe('URLs', () => {
    it('show a short URL whole, with the scheme hidden', () => {
      expect(render('see https://example.com/a')).toBe(
        `<p>see ${linkHtml('https://example.com/a', 'https://', 'example.com/a')}</p>`,
      );
    });

    it('hide www. along with the scheme', () => {
      expect(render('http://www.example.com')).toBe(
        `<p>${linkHtml('http://www.example.com', 'http://www.', 'example.com')}</p>`,
      );
    });

    it('show exactly 30 characters without an ellipsis', () => {
      const rest = `example.com/${'x'.repeat(18)}`;
      expect(rest).toHaveLength(30);
      expect(render(`https://${rest}`)).toBe(
        `<p>${linkHtml(`https://${rest}`, 'https://', rest)}</p>`,
      );
    });

    it('cut after 30 characters and mark the ellipsis', () => {
      const url = 'https://example.com/very/long/path/to/a/page';
      expect(render(url)).toBe(
        `<p>${linkHtml(url, 'https://', 'example.com/very/long/path/to/', 'a/page')}</p>`,
      );
    });

    it('cut between code points, never inside a surrogate pair', () => {
      const url = `https://example.com/${'😀'.repeat(20)}`;
      expect(render(url)).toBe(
        `<p>${linkHtml(url, 'https://', `example.com/${'😀'.repeat(18)}`, '😀😀')}</p>`,
      );
    });

    it('escape & in the href and in the text', () => {
      expect(render('https://example.com/?a=1&b=2')).toBe(
        `<p>${linkHtml('https://example.com/?a=1&amp;b=2', 'https://', 'example.com/?a=1&amp;b=2')}</p>`,
      );
    });

    it('leave trailing punctuation and unbalanced brackets outside the link', () => {
      expect(render('(see https://example.com/a).')).toBe(
        `<p>(see ${linkHtml('https://example.com/a', 'https://', 'example.com/a')}).</p>`,
      );
    });

    it('render mentions and hashtags inside them as part of the link', () => {
      expect(render('https://example.com/@alice#top')).toBe(
        `<p>${linkHtml('https://example.com/@alice#top', 'https://', 'example.com/@alice#top')}</p>`,
      );
    });
  });

  it('renders a whole post', () => {
    expect(render('Hey @alice, read https://example.com/post!\n\n#news & more <3')).toBe(
      `<p>Hey ${mentionHtml('https://murmur.example/@alice', 'alice')}, read ${linkHtml('https://example.com/post', 'https://', 'example.com/post')}!</p>` +
        '<p><a href="https://murmur.example/tags/news" class="mention hashtag" rel="tag">#<span>news</span></a> &amp; more &lt;3</p>',
    );
  });

  it('links a known remote mention to its profile, showing the username alone', () => {
    const withRemote: RenderLinks = {
      ...links,
      remoteProfileUrl: (username, domain) =>
        username === 'zoe' && domain === 'remote.example' ? 'https://remote.example/@zoe' : null,
    };
    expect(renderStatusHtml('hi @Zoe@Remote.example and @eve@remote.example', withRemote)).toBe(
      `<p>hi ${mentionHtml('https://remote.example/@zoe', 'Zoe')} and @eve@remote.example</p>`,
    );
    // Without the callback remote mentions are text, and never a local account's link.
    expect(render('@alice@remote.example')).toBe('<p>@alice@remote.example</p>');
  });

  it('escapes quotes in caller URLs', () => {
    const quoting: RenderLinks = {
      profileUrl: (username) => `https://murmur.example/@${username}"x='y'`,
      tagUrl: (name) => `https://murmur.example/tags/${name}"<`,
    };
    expect(renderStatusHtml('@alice #a', quoting)).toBe(
      `<p>${mentionHtml('https://murmur.example/@alice&quot;x=&#39;y&#39;', 'alice')} ` +
        '<a href="https://murmur.example/tags/a&quot;&lt;" class="mention hashtag" rel="tag">#<span>a</span></a></p>',
    );
  });

  it('refuses caller URLs with another scheme', () => {
    const unsafeTag: RenderLinks = { profileUrl: () => null, tagUrl: () => 'javascript:alert(1)' };
    expect(() => renderStatusHtml('#a', unsafeTag)).toThrow(TypeError);
    const unsafeProfile: RenderLinks = { profileUrl: () => ' javascript:x', tagUrl: () => '/t' };
    expect(() => renderStatusHtml('@alice', unsafeProfile)).toThrow(TypeError);
    const relativeTag: RenderLinks = { profileUrl: () => null, tagUrl: () => 'tags/a' };
    expect(() => renderStatusHtml('#a', relativeTag)).toThrow(TypeError);
  });
});

describe('renderPlainTextHtml', () => {
  it('renders paragraphs, line breaks and links', () => {
    expect(renderPlainTextHtml('Bio line\nhttps://example.com\n\nSecond')).toBe(
      `<p>Bio line<br />${linkHtml('https://example.com', 'https://', 'example.com')}</p><p>Second</p>`,
    );
  });

  it('leaves mentions and hashtags as text', () => {
    expect(renderPlainTextHtml('Friend of @alice, into #rust')).toBe(
      '<p>Friend of @alice, into #rust</p>',
    );
  });

  it('escapes everything else', () => {
    expect(renderPlainTextHtml('<b>bold</b> & "quoted"')).toBe(
      '<p>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</p>',
    );
  });

  it('renders empty text as an empty string', () => {
    expect(renderPlainTextHtml('')).toBe('');
  });
});
