/**
 * A third-party app signs in through a real Chromium, as Phanpy or Ivory would: a web client on
 * another origin (its own HTTP server, which receives the code and exchanges it with PKCE), a
 * native app's custom scheme, and the out-of-band code. Chromium applies `form-action` to the
 * redirect that follows the consent form's POST, so this is what catches a policy that allows
 * only our own origin; a client sharing the API's origin (the website) never could.
 */
import { createServer, type Server } from 'node:http';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { freePort } from '@murmur/devkit/net';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Response,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccountFixture,
  createTestApp,
  FIXTURE_PASSWORD,
  pkcePair,
  type TestApp,
} from './_helpers.js';

const OUT_OF_BAND = 'urn:ietf:wg:oauth:2.0:oob';
const NATIVE_REDIRECT = 'ivory://oauth-callback';
const LOGIN = 'third_party_alice';

let t: TestApp;
let apiOrigin: string;
let clientServer: Server;
let clientRedirect: string;
let client: { client_id: string; client_secret: string };
let browser: Browser;

/** What the client app's callback saw and did, per `state`. */
const callbacks = new Map<string, { code: string | null; username?: string; error?: string }>();
const verifiers = new Map<string, string>();

async function exchangeCode(code: string, redirectUri: string, verifier: string) {
  const response = await fetch(`${apiOrigin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: client.client_id,
      client_secret: client.client_secret,
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`token exchange: ${response.status} ${await response.text()}`);
  const { access_token } = (await response.json()) as { access_token: string };
  const me = await fetch(`${apiOrigin}/api/v1/accounts/verify_credentials`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  return ((await me.json()) as { username: string }).username;
}

/** The third-party web app: its callback exchanges the code server-side, as such apps do. */
function startClientApp(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', clientRedirect);
    if (url.pathname !== '/callback') return void response.writeHead(404).end();
    const state = url.searchParams.get('state') ?? '';
    const code = url.searchParams.get('code');
    const record: { code: string | null; username?: string; error?: string } = { code };
    callbacks.set(state, record);
    const finish = (text: string) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>${text}</h1>`);
    if (code === null) {
      record.error = url.searchParams.get('error') ?? 'no code';
      return finish(`Not signed in: ${record.error}`);
    }
    exchangeCode(code, clientRedirect, verifiers.get(state) ?? '')
      .then((username) => {
        record.username = username;
        finish(`Signed in as @${username}`);
      })
      .catch((error: unknown) => {
        record.error = String(error);
        finish(`Sign-in failed`);
      });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  const apiPort = await freePort();
  apiOrigin = `http://127.0.0.1:${apiPort}`;
  t = await createTestApp({ env: { PUBLIC_URL: apiOrigin } });
  await t.app.listen({ host: '127.0.0.1', port: apiPort });
  await createAccountFixture(t.database, { username: LOGIN });
  clientServer = await startClientApp();
  clientRedirect = `http://127.0.0.1:${(clientServer.address() as { port: number }).port}/callback`;
  const registered = await fetch(`${apiOrigin}/api/v1/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Elsewhere',
      redirect_uris: [clientRedirect, NATIVE_REDIRECT, OUT_OF_BAND],
      scopes: 'read write',
    }),
  });
  client = (await registered.json()) as typeof client;
  browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => clientServer?.close(resolve));
  await t?.close();
});

/**
 * Runs `steps` in a fresh browser profile, then checks that the console showed no CSP violation
 * (Chromium reports a blocked form redirect there: "Sending form data to … violates … form-action").
 */
async function inFreshBrowser(steps: (page: Page) => Promise<void>): Promise<void> {
  const context: BrowserContext = await browser.newContext();
  try {
    const page = await context.newPage();
    const consoleMessages: string[] = [];
    page.on('console', (message) => consoleMessages.push(message.text()));
    await steps(page);
    expect(consoleMessages.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  } finally {
    await context.close();
  }
}

function authorizeUrl(redirectUri: string, state: string): string {
  const { verifier, challenge } = pkcePair();
  verifiers.set(state, verifier);
  return `${apiOrigin}/oauth/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: 'read write',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`;
}

/**
 * Signs in on the sign-in page and arrives at the consent page, as a person would; returns the
 * `form-action` directive each of the two pages was sent with.
 */
async function signInAndReachConsent(
  page: Page,
  url: string,
): Promise<{ signIn: string; consent: string }> {
  const signInPage = await page.goto(url);
  await page.getByLabel('Username or e-mail').fill(LOGIN);
  await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
  const [consentPage] = await Promise.all([
    page.waitForResponse((response) => response.url().includes('/oauth/authorize?')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.getByRole('heading', { name: 'Authorize Elsewhere?' }).waitFor();
  const formAction = async (response: Response | null) =>
    /form-action [^;]*/.exec(
      (await response?.allHeaders())?.['content-security-policy'] ?? '',
    )?.[0];
  return {
    signIn: (await formAction(signInPage)) ?? '',
    consent: (await formAction(consentPage)) ?? '',
  };
}

// Short waits: on a blocked redirect the page just stays where it is.
const ARRIVAL = { timeout: 15_000 };

describe('a third-party app signs in through Chromium', () => {
  it('a web app on another origin gets its code and exchanges it with PKCE', async () => {
    await inFreshBrowser(async (page) => {
      const policies = await signInAndReachConsent(page, authorizeUrl(clientRedirect, 'web-1'));
      // Exactly the client's origin, on the page whose form leads there; the sign-in page of a
      // client that gets a consent page leads only to our own pages.
      expect(policies).toEqual({
        signIn: "form-action 'self'",
        consent: `form-action 'self' ${new URL(clientRedirect).origin}`,
      });
      await page.getByRole('button', { name: 'Authorize' }).click();
      await page.getByRole('heading', { name: `Signed in as @${LOGIN}` }).waitFor(ARRIVAL);
      expect(new URL(page.url()).origin).toBe(new URL(clientRedirect).origin);
      expect(callbacks.get('web-1')).toMatchObject({ username: LOGIN });
    });
  });

  it('denying sends the person back to the app with access_denied', async () => {
    await inFreshBrowser(async (page) => {
      await signInAndReachConsent(page, authorizeUrl(clientRedirect, 'web-deny'));
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.getByRole('heading', { name: 'Not signed in: access_denied' }).waitFor(ARRIVAL);
      expect(callbacks.get('web-deny')).toMatchObject({ code: null, error: 'access_denied' });
    });
  });

  it('a native app gets the redirect to its custom scheme, not a CSP block', async () => {
    await inFreshBrowser(async (page) => {
      const policies = await signInAndReachConsent(page, authorizeUrl(NATIVE_REDIRECT, 'native-1'));
      expect(policies.consent).toBe("form-action 'self' ivory:");
      // Chromium hands the navigation to the operating system's handler for the scheme; the
      // request is what the app would receive.
      const [handedOver] = await Promise.all([
        page.waitForEvent('request', {
          predicate: (request) => request.url().startsWith('ivory:'),
          ...ARRIVAL,
        }),
        page.getByRole('button', { name: 'Authorize' }).click(),
      ]);
      const callback = new URL(handedOver.url());
      expect(`${callback.protocol}//${callback.host}${callback.pathname}`).toBe(NATIVE_REDIRECT);
      expect(callback.searchParams.get('state')).toBe('native-1');
      const code = callback.searchParams.get('code') ?? '';
      expect(await exchangeCode(code, NATIVE_REDIRECT, verifiers.get('native-1')!)).toBe(LOGIN);
    });
  });

  it('the out-of-band redirect shows the code, which the app exchanges', async () => {
    await inFreshBrowser(async (page) => {
      const policies = await signInAndReachConsent(page, authorizeUrl(OUT_OF_BAND, 'oob-1'));
      expect(policies.consent).toBe("form-action 'self'");
      await page.getByRole('button', { name: 'Authorize' }).click();
      await page.getByRole('heading', { name: 'Authorization code' }).waitFor();
      const code = (await page.locator('code.oob').textContent())?.trim() ?? '';
      expect(await exchangeCode(code, OUT_OF_BAND, verifiers.get('oob-1')!)).toBe(LOGIN);
    });
  });
});
