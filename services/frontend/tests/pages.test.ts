import {
  createStatus,
  favouriteStatus,
  unfavouriteStatus,
  type StatusRecord,
} from '@murmur/db/statuses';
import { findAccountById, type LocalAccount } from '@murmur/db/accounts';
import { recomputeDailyStats } from '@murmur/db/statistics';
import { revokeAccessTokenById, loadWebSession } from '@murmur/db/auth';
import {
  createAccountFixture,
  createStatusFixture,
  deliverNotifications,
} from '@murmur/db/testing';
import { createUnsubscribeToken } from '@murmur/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  elementsOf,
  get,
  postForm,
  scriptingProblems,
  signIn,
  startHarness,
  type Harness,
  type Session,
} from './_helpers.js';

let h: Harness;
let alice: LocalAccount;
let bob: LocalAccount;
let alicePost: StatusRecord;
let bobPost: StatusRecord;
let aliceSession: Session;

const XSS = [
  '<script>alert("x")</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '</title><script>alert(2)</script>',
].join(' ');

beforeAll(async () => {
  h = await startHarness();
  alice = await createAccountFixture(h.database, { username: 'alice', displayName: 'Alice A.' });
  bob = await createAccountFixture(h.database, {
    username: 'bob',
    displayName: '<script>alert("name")</script>',
    note: '<img src=x onerror=alert(1)> javascript:alert(1) https://example.com/about',
  });
  alicePost = await createStatus(h.database, {
    accountId: alice.id,
    text: 'Hello @bob, see #Murmur https://example.com',
  });
  bobPost = await createStatus(h.database, { accountId: bob.id, text: XSS });
  await createStatus(h.database, { accountId: bob.id, text: 'a reply', inReplyToId: alicePost.id });
  aliceSession = await signIn(h, alice);
});

afterAll(async () => {
  await h?.close();
});

const publicPages = () => [
  '/',
  '/?max_id=8999999999999999999',
  '/@alice',
  '/@bob',
  `/@alice/${alicePost.id}`,
  `/@bob/${bobPost.id}`,
  '/@alice/followers',
  '/@alice/following',
  '/tags/murmur',
  '/search?q=alice',
  '/search?q=alert',
  '/search',
  '/statistics',
];

describe('reading without an account', () => {
  it('renders every public page as UTF-8 HTML with the security headers', async () => {
    for (const url of publicPages()) {
      const response = await get(h, url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy'], url).toContain("script-src 'self'");
      expect(response.body, url).toContain('<main id="main"');
    }
  });

  it('shows the public timeline newest first, with linked mentions, hashtags and URLs', async () => {
    const { body } = await get(h, '/');
    expect(body.indexOf('a reply')).toBeLessThan(body.indexOf('Hello'));
    expect(body).toContain('href="/@bob"');
    expect(body).toContain('href="/tags/murmur"');
    expect(body).toContain('href="https://example.com"');
    expect(body).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+ UTC">/);
    expect(body).toContain('href="/auth/sign_in"');
    expect(body).not.toContain('name="status"');
  });

  it('pages with Older and Newer links', async () => {
    const author = await createAccountFixture(h.database, { username: 'pager' });
    for (let i = 0; i < 22; i++)
      await createStatusFixture(h.database, { accountId: author.id, text: `numbered post ${i}` });
    const first = await get(h, '/@pager');
    const older = /href="(\/@pager\?max_id=\d+)"/.exec(first.body)?.[1];
    expect(older).toBeDefined();
    expect(first.body).not.toContain('Newer');
    const second = await get(h, older!.replaceAll('&amp;', '&'));
    expect(second.body).toContain('numbered post 0');
    expect(second.body).not.toContain('numbered post 21');
    expect(second.body).toMatch(/href="\/@pager\?min_id=\d+"/);
  });

  it('shows a post with its thread', async () => {
    const { body } = await get(h, `/@alice/${alicePost.id}`);
    expect(body).toContain('Hello');
    expect(body).toContain('a reply');
    expect(body).toContain('Sign in</a> to reply');
  });

  it('answers unknown people, posts and paths with a friendly 404 page', async () => {
    for (const url of [
      '/@nobody',
      `/@bob/${alicePost.id}`,
      '/@alice/123',
      '/no/such/page',
      '/@nobody.rss',
    ]) {
      const response = await get(h, url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.body).toContain('Not found');
    }
  });

  it('answers a malformed or out-of-range page cursor with a 400 page, not a crash', async () => {
    for (const url of [
      '/?max_id=9999999999999999999',
      '/?max_id=abc',
      '/@alice/9999999999999999999',
    ]) {
      const response = await get(h, url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  // PostgreSQL text cannot hold NUL: these used to reach the database and answer 500.
  it('answers a NUL character in a tag, a search or a path with a 400 page', async () => {
    for (const url of ['/tags/a%00b', '/search?q=%00', '/search?q=a%00b', '/@al%00ice']) {
      const response = await get(h, url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('sends signed-out people to sign in for personal pages', async () => {
    for (const url of ['/home', '/settings', '/notifications']) {
      const response = await get(h, url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/auth/sign_in');
    }
  });
});

describe('metrics', () => {
  it('serves Prometheus metrics with request latency by route pattern', async () => {
    await get(h, `/@alice/${alicePost.id}`);
    await get(h, '/no/such/page');
    const response = await get(h, '/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(response.body).toMatch(
      /http_request_duration_seconds_count\{service="frontend",method="GET",route="\/@:username\/:id",status_code="200"\} \d+/,
    );
    expect(response.body).toContain('route="(unmatched)",status_code="404"');
    expect(response.body).not.toContain(alicePost.id);
    expect(response.body).toContain('process_cpu_user_seconds_total');
    const proxied = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(404);
  });
});

describe('security headers', () => {
  it('are on every response, including assets, errors, redirects and RSS', async () => {
    const urls = [
      ...publicPages(),
      '/@alice.rss',
      '/assets/site.css',
      '/assets/compose.js',
      '/nope',
      '/home',
      '/healthz',
      '/unsubscribe?token=bad',
    ];
    for (const url of urls) {
      const response = await get(h, url);
      expect(response.headers['content-security-policy'], url).toBe(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(response.headers['referrer-policy'], url).toMatch(
        /^(strict-origin-when-cross-origin|same-origin)$/,
      );
      expect(response.headers['strict-transport-security'], url).toBeUndefined();
    }
  });

  it('serves the one stylesheet with long-lived caching', async () => {
    const css = await get(h, '/assets/site.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toContain('max-age=31536000');
    const page = await get(h, '/');
    expect(
      elementsOf(page.body).filter(
        (e) => e.tagName === 'link' && e.attrs.some((a) => a.value === 'stylesheet'),
      ),
    ).toHaveLength(1);
    expect(
      elementsOf(page.body).some(
        (e) => e.tagName === 'style' || e.attrs.some((a) => a.name === 'style'),
      ),
    ).toBe(false);
  });

  it('a failing handler gives a 500 page without internals, with the headers', async () => {
    const broken = await (
      await import('../src/app.js')
    ).buildApp({
      config: h.config,
      database: {
        ...h.database,
        get replica(): never {
          throw new Error('SECRET-INTERNAL-DETAIL at db.ts:1');
        },
      },
      logger: (await import('@murmur/service-kit')).createLogger({
        service: 'test',
        level: 'silent',
      }),
    });
    const response = await broken.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toContain('SECRET-INTERNAL-DETAIL');
    expect(response.body).not.toMatch(/\bat \S+:\d+/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    await broken.close();
  });
});

describe('user content is rendered as text (XSS corpus)', () => {
  it('no script element, event handler or javascript: URL comes from user input on any page', async () => {
    const session = await signIn(h, alice);
    for (const url of publicPages()) {
      for (const viewer of [undefined, session]) {
        const { body } = await get(h, url, viewer);
        expect(scriptingProblems(body), url).toEqual([]);
      }
    }
    const profile = await get(h, '/@bob');
    expect(profile.body).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(profile.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const post = await get(h, `/@bob/${bobPost.id}`);
    expect(post.body).toContain('&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(post.body).not.toContain('href="javascript:');
  });
});

describe('RSS feed', () => {
  it('lists public posts without replies, escaped, linked from the profile', async () => {
    const response = await get(h, '/@bob.rss');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(response.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\s*<rss version="2.0"/);
    expect(response.body).not.toContain('a reply');
    expect(response.body).not.toContain('<script');
    expect(response.body).toContain('&lt;script&gt;');
    // Titles are escaped too: the display name is markup-like.
    expect(response.body).toContain(
      '<title>&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; (@bob)</title>',
    );
    const profile = await get(h, '/@bob');
    expect(profile.body).toContain(
      '<link rel="alternate" type="application/rss+xml" title="Posts by @bob" href="/@bob.rss">',
    );
  });

  it('holds at most 20 items', async () => {
    const response = await get(h, '/@pager.rss');
    expect(response.body.match(/<item>/g)).toHaveLength(20);
  });
});

describe('signed in', () => {
  it('shows the compose box, the home timeline and the personal pages', async () => {
    const home = await get(h, '/', aliceSession);
    expect(home.body).toContain('name="status"');
    expect(home.body).toContain('href="/home"');
    expect(home.body).toContain('data-max-characters="500"');
    for (const url of ['/home', '/notifications', '/settings', `/@alice/${alicePost.id}`]) {
      const response = await get(h, url, aliceSession);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('private, no-store');
      expect(response.body, url).toContain('Sign out');
    }
    await favouriteStatus(h.database, { accountId: bob.id, statusId: alicePost.id });
    // Notifications are the worker's: run its notify step over the events written so far.
    await deliverNotifications(h.database);
    const notifications = await get(h, '/notifications', aliceSession);
    expect(notifications.body).toContain('favourited your post');
    await unfavouriteStatus(h.database, { accountId: bob.id, statusId: alicePost.id });
  });

  it('posts from the website, and the post appears on the timelines and the profile', async () => {
    const response = await postForm(
      h,
      '/statuses',
      { csrf_token: aliceSession.csrf, status: 'Written on the website @bob #web' },
      { session: aliceSession },
    );
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/home');
    for (const url of ['/', '/home', '/@alice']) {
      expect((await get(h, url, aliceSession)).body, url).toContain('Written on the website');
    }
  });

  it('writes the request id into the events of a post made on the website', async () => {
    const response = await postForm(
      h,
      '/statuses',
      { csrf_token: aliceSession.csrf, status: 'Traced from the website @bob' },
      { session: aliceSession },
    );
    expect(response.statusCode).toBe(303);
    const { rows } = await h.database.pool.query<{ type: string; request_id: string | null }>(
      `select type, payload->>'requestId' as request_id from outbox_events
       where payload->'data'->>'statusId' = (select id::text from statuses
         where account_id = $1 and text = 'Traced from the website @bob') order by type`,
      [alice.id],
    );
    expect(rows.map((row) => row.type)).toEqual(['PostCreated', 'UserMentioned']);
    expect(rows[0]!.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows[1]!.request_id).toBe(rows[0]!.request_id);
  });

  it('re-renders an empty or too long post with the error next to the field, keeping the text', async () => {
    const empty = await postForm(
      h,
      '/statuses',
      { csrf_token: aliceSession.csrf, status: '   ' },
      { session: aliceSession },
    );
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('id="compose-error"');
    expect(empty.body).toMatch(/aria-describedby="compose-counter compose-error"/);

    const long = `${'x'.repeat(497)} <b>!`;
    const tooLong = await postForm(
      h,
      '/statuses',
      { csrf_token: aliceSession.csrf, status: long },
      { session: aliceSession },
    );
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.body).toContain('character limit of 500');
    expect(tooLong.body).toContain(`${'x'.repeat(497)} &lt;b&gt;!</textarea>`);
    expect(tooLong.body).toContain('aria-invalid="true"');
  });

  it('replies, favourites and unfavourites', async () => {
    const reply = await postForm(
      h,
      '/statuses',
      {
        csrf_token: aliceSession.csrf,
        status: '@bob a reply from alice',
        in_reply_to_id: bobPost.id,
      },
      { session: aliceSession },
    );
    expect(reply.statusCode).toBe(303);
    expect(reply.headers.location).toMatch(/^\/@alice\/\d+$/);
    expect((await get(h, `/@bob/${bobPost.id}`)).body).toContain('a reply from alice');

    const path = `/@bob/${bobPost.id}`;
    const fav = await postForm(
      h,
      `/statuses/${bobPost.id}/favourite`,
      { csrf_token: aliceSession.csrf, return_to: path },
      { session: aliceSession },
    );
    expect(fav.statusCode).toBe(303);
    expect(fav.headers.location).toBe(path);
    expect((await get(h, path, aliceSession)).body).toContain(
      'aria-label="Favourite, 1 favourite" aria-pressed="true"',
    );
    await postForm(
      h,
      `/statuses/${bobPost.id}/unfavourite`,
      { csrf_token: aliceSession.csrf, return_to: 'https://evil.test/' },
      { session: aliceSession },
    ).then((r) => {
      expect(r.headers.location).toBe('/');
    });
    expect((await get(h, path, aliceSession)).body).toContain(
      'aria-label="Favourite, 0 favourites" aria-pressed="false"',
    );
  });

  it('bookmarks a post, lists it on the bookmarks page only for its owner, and removes it', async () => {
    const path = `/@bob/${bobPost.id}`;
    expect((await get(h, path, aliceSession)).body).toContain(
      'class="action" aria-pressed="false">Bookmark</button>',
    );
    const saved = await postForm(
      h,
      `/statuses/${bobPost.id}/bookmark`,
      { csrf_token: aliceSession.csrf, return_to: path },
      { session: aliceSession },
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(path);
    expect((await get(h, path, aliceSession)).body).toContain(
      'class="action bookmarked" aria-pressed="true">Bookmark</button>',
    );
    const page = await get(h, '/bookmarks', aliceSession);
    expect(page.body).toContain('<h1>Bookmarks</h1>');
    expect(page.body).toContain(`id="status-${bobPost.id}"`);
    const bobSession = await signIn(h, bob);
    expect((await get(h, '/bookmarks', bobSession)).body).toContain('No bookmarks yet');
    await postForm(
      h,
      `/statuses/${bobPost.id}/unbookmark`,
      { csrf_token: aliceSession.csrf, return_to: '/bookmarks' },
      { session: aliceSession },
    );
    expect((await get(h, '/bookmarks', aliceSession)).body).toContain('No bookmarks yet');
    const anonymous = await get(h, '/bookmarks');
    expect(anonymous.statusCode).toBe(303);
  });

  it("boosts and unboosts: the boost shows on the booster's profile", async () => {
    const path = `/@bob/${bobPost.id}`;
    const boost = await postForm(
      h,
      `/statuses/${bobPost.id}/reblog`,
      { csrf_token: aliceSession.csrf, return_to: path },
      { session: aliceSession },
    );
    expect(boost.statusCode).toBe(303);
    expect(boost.headers.location).toBe(path);
    expect((await get(h, path, aliceSession)).body).toContain(
      'aria-label="Boost, 1 boost" aria-pressed="true"',
    );
    expect((await get(h, '/@alice')).body).toContain('boosted</p>');
    await postForm(
      h,
      `/statuses/${bobPost.id}/unreblog`,
      { csrf_token: aliceSession.csrf, return_to: path },
      { session: aliceSession },
    );
    expect((await get(h, path, aliceSession)).body).toContain(
      'aria-label="Boost, 0 boosts" aria-pressed="false"',
    );
    expect((await get(h, '/@alice')).body).not.toContain('boosted</p>');
  });

  it('refuses to follow oneself with 403, as the API does (one domain-error map)', async () => {
    const self = await postForm(
      h,
      `/@${alice.username}/follow`,
      { csrf_token: aliceSession.csrf, return_to: `/@${alice.username}` },
      { session: aliceSession },
    );
    expect(self.statusCode).toBe(403);
  });

  it('follows and unfollows from the profile', async () => {
    expect((await get(h, '/@bob', aliceSession)).body).toContain('>Follow</button>');
    await postForm(
      h,
      '/@bob/follow',
      { csrf_token: aliceSession.csrf, return_to: '/@bob' },
      { session: aliceSession },
    );
    const profile = await get(h, '/@bob', aliceSession);
    expect(profile.body).toContain('>Unfollow</button>');
    expect((await get(h, '/home', aliceSession)).body).toContain(
      '&lt;img src=x onerror=alert(1)&gt;',
    );
    await postForm(
      h,
      '/@bob/unfollow',
      { csrf_token: aliceSession.csrf },
      { session: aliceSession },
    );
    expect((await get(h, '/@bob', aliceSession)).body).toContain('>Follow</button>');
  });

  it("offers delete on one's own posts only; deleting someone else's is refused", async () => {
    const own = await get(h, `/@alice/${alicePost.id}`, aliceSession);
    expect(own.body).toContain(`href="/statuses/${alicePost.id}/delete"`);
    const others = await get(h, `/@bob/${bobPost.id}`, aliceSession);
    expect(others.body).not.toContain(`/statuses/${bobPost.id}/delete`);
    const refused = await postForm(
      h,
      `/statuses/${bobPost.id}/delete`,
      { csrf_token: aliceSession.csrf },
      { session: aliceSession },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Not allowed');
    expect((await get(h, `/statuses/${bobPost.id}/delete`, aliceSession)).statusCode).toBe(403);
  });

  it('deletes after a confirmation page', async () => {
    const doomed = await createStatus(h.database, { accountId: alice.id, text: 'soon gone' });
    const confirm = await get(h, `/statuses/${doomed.id}/delete`, aliceSession);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete this post?');
    const deleted = await postForm(
      h,
      `/statuses/${doomed.id}/delete`,
      { csrf_token: aliceSession.csrf },
      { session: aliceSession },
    );
    expect(deleted.statusCode).toBe(303);
    expect((await get(h, `/@alice/${doomed.id}`)).statusCode).toBe(404);
  });
});

describe('CSRF and sessions', () => {
  it('refuses a form without the token, with a foreign token, or from another site', async () => {
    const before = (await get(h, '/@alice')).body.match(/numbered|CSRF-PROBE/g)?.length ?? 0;
    const missing = await postForm(
      h,
      '/statuses',
      { status: 'CSRF-PROBE' },
      { session: aliceSession },
    );
    expect(missing.statusCode).toBe(403);
    const bobSession = await signIn(h, bob);
    const foreign = await postForm(
      h,
      '/statuses',
      { status: 'CSRF-PROBE', csrf_token: bobSession.csrf },
      { session: aliceSession },
    );
    expect(foreign.statusCode).toBe(403);
    const crossOrigin = await postForm(
      h,
      '/statuses',
      { status: 'CSRF-PROBE', csrf_token: aliceSession.csrf },
      { session: aliceSession, headers: { origin: 'https://evil.test' } },
    );
    expect(crossOrigin.statusCode).toBe(403);
    const crossSite = await postForm(
      h,
      '/statuses',
      { status: 'CSRF-PROBE', csrf_token: aliceSession.csrf },
      { session: aliceSession, headers: { 'sec-fetch-site': 'cross-site' } },
    );
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.headers['content-security-policy']).toBeDefined();
    const after = (await get(h, '/@alice')).body.match(/numbered|CSRF-PROBE/g)?.length ?? 0;
    expect(after).toBe(before);
    const sameOrigin = await postForm(
      h,
      '/statuses',
      { status: 'CSRF-PROBE ok', csrf_token: aliceSession.csrf },
      {
        session: aliceSession,
        headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' },
      },
    );
    expect(sameOrigin.statusCode).toBe(303);
  });

  it('a POST without a session is refused', async () => {
    const response = await postForm(h, '/statuses', { status: 'x', csrf_token: 'x' });
    expect(response.statusCode).toBe(401);
  });

  it('GET never signs out', async () => {
    const session = await signIn(h, alice);
    expect((await get(h, '/auth/sign_out', session)).statusCode).toBe(404);
    expect((await get(h, '/home', session)).statusCode).toBe(200);
  });

  it('signing out deletes the session, revokes its token and clears the cookies', async () => {
    const session = await signIn(h, alice);
    const response = await postForm(h, '/auth/sign_out', { csrf_token: session.csrf }, { session });
    expect(response.statusCode).toBe(303);
    expect(String(response.headers['set-cookie'])).toMatch(/murmur_session=;/);
    // The OAuth server's sign-in (same origin) ends too, or "Sign in" would skip the password.
    expect(String(response.headers['set-cookie'])).toMatch(/(^|,)murmur_oauth_sign_in=;/);
    expect(await loadWebSession(h.database, session.sessionId)).toBeNull();
    const replay = await get(h, '/home', session);
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/auth/sign_in');
  });

  it('a token revoked elsewhere ends the website session on the next request', async () => {
    const session = await signIn(h, alice);
    expect((await get(h, '/home', session)).statusCode).toBe(200);
    await revokeAccessTokenById(h.database, session.tokenId);
    const response = await get(h, '/', session);
    expect(response.body).not.toContain('Sign out');
    expect(String(response.headers['set-cookie'])).toMatch(/murmur_session=;/);
  });
});

describe('settings', () => {
  it('saves the profile, and re-renders a too long display name with the error by the field', async () => {
    const session = await signIn(h, alice);
    const bad = await postForm(
      h,
      '/settings/profile',
      { csrf_token: session.csrf, display_name: 'y'.repeat(31), note: 'my bio' },
      { session },
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('aria-describedby="display_name-hint display_name-error"');
    expect(bad.body).toContain(`value="${'y'.repeat(31)}"`);
    expect(bad.body).toContain('>my bio</textarea>');
    const good = await postForm(
      h,
      '/settings/profile',
      { csrf_token: session.csrf, display_name: 'Alice Liddell', note: 'Down the rabbit hole' },
      { session },
    );
    expect(good.statusCode).toBe(200);
    expect(good.body).toContain('Your profile was saved.');
    const account = await findAccountById(h.database.primary, alice.id);
    expect(account).toMatchObject({
      displayName: 'Alice Liddell',
      note: 'Down the rabbit hole',
      emailOnMention: false,
    });
    expect((await get(h, '/@alice')).body).toContain('Down the rabbit hole');
  });

  it('changes the password only with the current one, keeping this session', async () => {
    const session = await signIn(h, alice);
    const other = await signIn(h, alice);
    const wrong = await postForm(
      h,
      '/settings/password',
      {
        csrf_token: session.csrf,
        current_password: 'nope',
        new_password: 'a brand new passphrase',
      },
      { session },
    );
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('id="current_password-error"');
    const ok = await postForm(
      h,
      '/settings/password',
      {
        csrf_token: session.csrf,
        current_password: 'correct horse battery staple',
        new_password: 'a brand new passphrase',
      },
      { session },
    );
    expect(ok.statusCode).toBe(200);
    expect((await get(h, '/home', session)).statusCode).toBe(200);
    expect((await get(h, '/home', other)).statusCode).toBe(303);
  });

  it('lists authorized apps and revokes them (revoking the website signs this session out)', async () => {
    const session = await signIn(h, bob);
    const page = await get(h, '/settings', session);
    const action = /action="(\/settings\/apps\/\d+\/revoke)"/.exec(page.body)?.[1];
    expect(action).toBeDefined();
    expect(page.body).toContain('Murmur website');
    const revoked = await postForm(h, action!, { csrf_token: session.csrf }, { session });
    expect(revoked.statusCode).toBe(303);
    expect((await get(h, '/settings', session)).statusCode).toBe(303);
  });
});

describe('statistics', () => {
  it('draws the daily numbers as SVG charts with a table of the same numbers', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await recomputeDailyStats(h.database, today);
    const { body, statusCode } = await get(h, '/statistics');
    expect(statusCode).toBe(200);
    const svgs = elementsOf(body).filter((e) => e.tagName === 'svg');
    expect(svgs).toHaveLength(6);
    expect(svgs.every((svg) => svg.attrs.some((a) => a.name === 'role' && a.value === 'img'))).toBe(
      true,
    );
    expect(body).toContain('<title id="chart-posts-title">Posts per day</title>');
    const row = new RegExp(`<tr><th scope="row">${today}</th><td>(\\d+)</td>`).exec(body);
    expect(Number(row?.[1])).toBeGreaterThanOrEqual(3);
    expect(body).toContain(`<title>${today}: ${row?.[1]}</title>`);
  });
});

describe('unsubscribe', () => {
  it('GET shows a confirmation and changes nothing; one-click POST turns mention e-mails off', async () => {
    const carol = await createAccountFixture(h.database, { username: 'carol' });
    const token = createUnsubscribeToken(h.config.unsubscribeSecret, carol.id);
    const page = await get(h, `/unsubscribe?token=${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      '<button type="submit" class="button primary">Unsubscribe</button>',
    );
    expect((await findAccountById(h.database.primary, carol.id))?.emailOnMention).toBe(true);

    const oneClick = await postForm(h, `/unsubscribe?token=${token}`, {
      'List-Unsubscribe': 'One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect((await findAccountById(h.database.primary, carol.id))?.emailOnMention).toBe(false);
  });

  it('the confirm form works with the token in the body; bad tokens are refused', async () => {
    const dave = await createAccountFixture(h.database, { username: 'dave' });
    const token = createUnsubscribeToken(h.config.unsubscribeSecret, dave.id);
    expect((await postForm(h, '/unsubscribe', { token })).statusCode).toBe(200);
    expect((await findAccountById(h.database.primary, dave.id))?.emailOnMention).toBe(false);
    const forged = createUnsubscribeToken('another-secret-another-secret-another', alice.id);
    expect((await postForm(h, '/unsubscribe', { token: forged })).statusCode).toBe(400);
    expect((await get(h, '/unsubscribe?token=garbage')).statusCode).toBe(400);
    expect(
      (await postForm(h, '/unsubscribe', { token }, { headers: { origin: 'https://evil.test' } }))
        .statusCode,
    ).toBe(403);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await get(h, '/healthz')).statusCode).toBe(200);
    expect((await get(h, '/readyz')).json()).toEqual({ status: 'ok' });
  });
});
