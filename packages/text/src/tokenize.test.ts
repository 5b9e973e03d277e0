import { describe, expect, it } from 'vitest';
import { extractHashtags, extractMentions } from './extract.js';
import { tokenize, type Token } from './tokenize.js';

/** Each token's kind and the exact text it covers, which also checks the offsets. */
function covered(text: string): string[] {
  return tokenize(text).map((token) => `${token.kind}:${text.slice(token.start, token.end)}`);
}

describe('tokenize', () => {
  it('returns tokens in order with UTF-16 offsets and their parts', () => {
    const text = '🎉 @Alice #Café https://example.com/a @bob@remote.example';
    const expected: Token[] = [
      { kind: 'mention', username: 'Alice', start: 3, end: 9 },
      { kind: 'hashtag', name: 'Café', start: 10, end: 15 },
      { kind: 'url', url: 'https://example.com/a', start: 16, end: 37 },
      { kind: 'mention', username: 'bob', domain: 'remote.example', start: 38, end: 57 },
    ];
    expect(tokenize(text)).toEqual(expected);
  });

  it('finds nothing in plain text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('just words, no links')).toEqual([]);
  });
});

describe('mentions', () => {
  it('are found at the start, after punctuation and after a newline', () => {
    expect(extractMentions('@alice hi')).toEqual(['alice']);
    expect(extractMentions('hi,@bob! (@carol) "@dave"')).toEqual(['bob', 'carol', 'dave']);
    expect(extractMentions('first line\n@erin')).toEqual(['erin']);
  });

  it('end at the first character that cannot be in a username', () => {
    expect(covered("@alice's post")).toEqual(['mention:@alice']);
    expect(covered('thanks @alice.')).toEqual(['mention:@alice']);
    expect(covered('@alice-and-bob')).toEqual(['mention:@alice']);
  });

  it('keep the case as written in the token, lower-cased when extracted', () => {
    expect(tokenize('@Alice_42')).toEqual([
      { kind: 'mention', username: 'Alice_42', start: 0, end: 9 },
    ]);
    expect(extractMentions('@Alice_42')).toEqual(['alice_42']);
  });

  it('are not found in email addresses', () => {
    expect(extractMentions('mail me@example.com')).toEqual([]);
    expect(extractMentions('first.last@example.com')).toEqual([]);
    expect(extractMentions('john.@example.com')).toEqual([]);
    expect(tokenize('me@example.com')).toEqual([]);
  });

  it('are found after a dot that starts a sentence', () => {
    expect(extractMentions('.@alice is right')).toEqual(['alice']);
    expect(extractMentions('So. @alice')).toEqual(['alice']);
  });

  it('are not found after a word character, "@" or "/"', () => {
    expect(extractMentions('x@alice')).toEqual([]);
    expect(extractMentions('é@alice')).toEqual([]);
    expect(extractMentions('@@alice')).toEqual([]);
    expect(extractMentions('example.com/@alice')).toEqual([]);
  });

  it('are not found inside URLs', () => {
    expect(extractMentions('https://example.com/@alice')).toEqual([]);
    expect(extractMentions('https://alice@example.com/')).toEqual([]);
    expect(covered('see https://example.com/@alice')).toEqual(['url:https://example.com/@alice']);
  });

  it('are unique, compared case-insensitively, in order of first appearance', () => {
    expect(extractMentions('@Bob @alice @ALICE @bob @carol')).toEqual(['bob', 'alice', 'carol']);
  });

  it('longer than 30 characters are not mentions, and are not truncated into one', () => {
    expect(extractMentions('@toolongusername_over_30_chars_xxxxx')).toEqual([]);
    expect(tokenize('@toolongusername_over_30_chars_xxxxx')).toEqual([]);
    expect(extractMentions(`@${'x'.repeat(30)}`)).toEqual(['x'.repeat(30)]);
    expect(extractMentions(`@${'x'.repeat(31)}`)).toEqual([]);
  });

  it('must not continue with a non-ASCII letter', () => {
    expect(extractMentions('@alicé')).toEqual([]);
    expect(extractMentions('@alice\u0301')).toEqual([]);
  });

  it('need at least one username character', () => {
    expect(tokenize('@ alone, @, @!')).toEqual([]);
  });

  describe('remote (@user@domain)', () => {
    it('are tokens with a domain and are not extracted as local mentions', () => {
      expect(tokenize('cc @Bob@Remote.Example')).toEqual([
        { kind: 'mention', username: 'Bob', domain: 'Remote.Example', start: 3, end: 22 },
      ]);
      expect(extractMentions('@bob@remote.example')).toEqual([]);
      expect(extractMentions('@bob@remote.example @bob')).toEqual(['bob']);
    });

    it('do not include the punctuation that ends a sentence', () => {
      expect(covered('ask @bob@remote.example.')).toEqual(['mention:@bob@remote.example']);
      expect(covered('(@bob@remote.example)')).toEqual(['mention:@bob@remote.example']);
    });

    it('allow the dotted usernames and long names of other servers', () => {
      const long = 'a'.repeat(40);
      expect(tokenize(`@first.last@remote.example @${long}@remote.example`)).toEqual([
        { kind: 'mention', username: 'first.last', domain: 'remote.example', start: 0, end: 26 },
        { kind: 'mention', username: long, domain: 'remote.example', start: 27, end: 83 },
      ]);
    });

    it('accept internationalized domains', () => {
      expect(tokenize('@bob@例え.jp')[0]).toMatchObject({ username: 'bob', domain: '例え.jp' });
    });

    it('with a third @ are nothing at all', () => {
      expect(tokenize('@a@b.example@c')).toEqual([]);
    });

    it('whose domain is empty are not local mentions either', () => {
      expect(tokenize('@bob@ and @bob@.')).toEqual([]);
    });
  });
});

describe('hashtags', () => {
  it('are found at the start and after punctuation, spaces and newlines', () => {
    expect(extractHashtags('#first, then (#second) and "#third"!\n#fourth')).toEqual([
      'first',
      'second',
      'third',
      'fourth',
    ]);
  });

  it('may be in any script, with combining marks', () => {
    expect(extractHashtags('#café #日本語 #Ελληνικά #हिन्दी')).toEqual([
      'café',
      '日本語',
      'ελληνικά',
      'हिन्दी',
    ]);
    expect(covered('#cafe\u0301!')).toEqual(['hashtag:#cafe\u0301']);
  });

  it('keep the name as written in the token', () => {
    expect(tokenize('#TypeScript')).toEqual([
      { kind: 'hashtag', name: 'TypeScript', start: 0, end: 11 },
    ]);
  });

  it('include underscores and digits but need something other than digits', () => {
    expect(extractHashtags('#tag_with_underscore')).toEqual(['tag_with_underscore']);
    expect(extractHashtags('#2024recap #_1')).toEqual(['2024recap', '_1']);
    expect(extractHashtags('#123 is an issue number')).toEqual([]);
    expect(tokenize('#123')).toEqual([]);
  });

  it('end at the first character that is not a letter, number, mark or underscore', () => {
    expect(covered('#rust-lang')).toEqual(['hashtag:#rust']);
    expect(covered('#tag.')).toEqual(['hashtag:#tag']);
  });

  it('are not found after a word character, "/" or ")"', () => {
    expect(extractHashtags('issue#12a')).toEqual([]);
    expect(extractHashtags('C#sharp')).toEqual([]);
    expect(extractHashtags('example.com/#anchor')).toEqual([]);
    expect(extractHashtags('(note)#aside')).toEqual([]);
  });

  it('are not found in a URL fragment', () => {
    expect(extractHashtags('https://x.com/#frag')).toEqual([]);
    expect(covered('https://x.com/#frag')).toEqual(['url:https://x.com/#frag']);
  });

  it('are at most 100 characters, and longer runs are not truncated into a tag', () => {
    expect(extractHashtags(`#${'a'.repeat(100)}`)).toEqual(['a'.repeat(100)]);
    expect(extractHashtags(`#${'a'.repeat(101)}`)).toEqual([]);
    // Counted in characters, not UTF-16 units.
    expect(extractHashtags(`#${'𝒜'.repeat(100)}`)).toHaveLength(1);
  });

  it('are unique after normalization, in order of first appearance', () => {
    expect(extractHashtags('#Cafe #cafe #CAFE #other')).toEqual(['cafe', 'other']);
    expect(extractHashtags('#café #cafe\u0301 #ＣＡＦÉ')).toEqual(['café']);
  });

  it('need at least one tag character', () => {
    expect(tokenize('# heading, #, ##')).toEqual([]);
  });
});

describe('URLs', () => {
  it('are http and https only', () => {
    expect(covered('http://example.com https://example.com')).toEqual([
      'url:http://example.com',
      'url:https://example.com',
    ]);
    expect(tokenize('ftp://example.com javascript:alert(1) data:text/html,x mailto:a@b.c')).toEqual(
      [],
    );
    expect(tokenize('example.com www.example.com')).toEqual([]);
  });

  it('accept the scheme in any case', () => {
    expect(covered('HTTPS://Example.COM/Path')).toEqual(['url:HTTPS://Example.COM/Path']);
  });

  it('run to the next whitespace', () => {
    expect(covered('go https://example.com/a/b?c=d&e=f#g\tnext')).toEqual([
      'url:https://example.com/a/b?c=d&e=f#g',
    ]);
    expect(covered('https://example.com/a\nhttps://example.com/b')).toEqual([
      'url:https://example.com/a',
      'url:https://example.com/b',
    ]);
  });

  it('stop at characters that cannot be in a URL: < > "', () => {
    expect(covered('<https://example.com>')).toEqual(['url:https://example.com']);
    expect(covered('"https://example.com/a"onclick')).toEqual(['url:https://example.com/a']);
  });

  it('stop at invisible characters', () => {
    expect(covered('https://example.com/a\u202eb')).toEqual(['url:https://example.com/a']);
    expect(covered('https://example.com/a\u200bb')).toEqual(['url:https://example.com/a']);
    expect(covered('https://example.com/a\u0000b')).toEqual(['url:https://example.com/a']);
  });

  it('drop trailing sentence punctuation', () => {
    for (const punctuation of ['.', ',', ';', ':', '!', '?', "'", '...', '?!']) {
      expect(covered(`https://example.com/a${punctuation}`)).toEqual(['url:https://example.com/a']);
    }
    expect(covered('https://example.com/a.b?c=d.')).toEqual(['url:https://example.com/a.b?c=d']);
  });

  it('drop an unbalanced closing bracket but keep a balanced one', () => {
    expect(covered('(see https://example.com/a)')).toEqual(['url:https://example.com/a']);
    expect(covered('[https://example.com/a]')).toEqual(['url:https://example.com/a']);
    expect(covered('(https://example.com/a).')).toEqual(['url:https://example.com/a']);
    expect(covered('https://en.wikipedia.org/wiki/Rust_(language)')).toEqual([
      'url:https://en.wikipedia.org/wiki/Rust_(language)',
    ]);
    expect(covered('(https://en.wikipedia.org/wiki/Rust_(language))')).toEqual([
      'url:https://en.wikipedia.org/wiki/Rust_(language)',
    ]);
    expect(covered('https://example.com/a[0]')).toEqual(['url:https://example.com/a[0]']);
  });

  it('need a host', () => {
    expect(tokenize('https:// http://. https:///path https://...')).toEqual([]);
  });

  it('must start a word', () => {
    expect(tokenize('xhttps://example.com')).toEqual([]);
    expect(covered('(https://example.com')).toEqual(['url:https://example.com']);
  });

  it('contain no mentions or hashtags', () => {
    expect(covered('https://example.com/@alice/#tag?x=#y @bob')).toEqual([
      'url:https://example.com/@alice/#tag?x=#y',
      'mention:@bob',
    ]);
  });

  it('stay linear on pathological input', () => {
    const hostile = [
      `https://example.com/${')'.repeat(200_000)}`,
      `@a@${'b.'.repeat(50_000)}${'-'.repeat(50_000)}`,
      '#'.repeat(50_000),
      `@${'a.'.repeat(50_000)}`,
      '@a.'.repeat(50_000),
    ].join(' ');
    const started = performance.now();
    expect(tokenize(hostile).map((token) => token.kind)).toEqual([
      'url',
      'mention',
      'mention',
      'mention',
    ]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
