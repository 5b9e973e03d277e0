import { type Database } from '@murmur/db';
import { createWebSession, ensureFirstPartyApplication, issueAccessToken } from '@murmur/db/auth';
import { type LocalAccount } from '@murmur/db/accounts';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { createLogger } from '@murmur/service-kit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { buildApp } from '../src/app.js';
import { loadConfig, type FrontendConfig } from '../src/config.js';
import { csrfTokenFor } from '../src/plugins/session.js';

export interface Harness {
  app: FastifyInstance;
  database: Database;
  config: FrontendConfig;
  testDb: TestDatabase;
  close(): Promise<void>;
}

/** The website in-process on a database of its own (or on `testDatabase`, which it then destroys). */
export async function startHarness(
  env: Record<string, string> = {},
  testDatabase?: TestDatabase,
): Promise<Harness> {
  const testDb = testDatabase ?? (await createTestDatabase());
  const config = loadConfig({ DATABASE_URL: testDb.url, LOG_LEVEL: 'silent', ...env });
  const logger = createLogger({ service: 'frontend', level: 'silent' });
  const app = await buildApp({ config, database: testDb.database, logger });
  await app.ready();
  return {
    app,
    database: testDb.database,
    config,
    testDb,
    async close() {
      await app.close();
      await testDb.destroy();
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
  sessionId: string;
  tokenId: string;
}

/** An access token of the website's first-party client, as the API's token endpoint would issue it. */
export async function issueWebToken(harness: Harness, account: Pick<LocalAccount, 'id'>) {
  const application = await ensureFirstPartyApplication(harness.database, {
    clientId: harness.config.webClientId,
    clientSecret: harness.config.webClientSecret,
    name: 'Murmur website',
    redirectUris: [`${harness.config.publicUrl.origin}/auth/callback`],
    scopes: ['read', 'write', 'follow', 'profile'],
  });
  return issueAccessToken(harness.database, {
    applicationId: application.id,
    accountId: account.id,
    scopes: ['read', 'write', 'follow', 'profile'],
  });
}

/** A website session as /auth/callback creates it: a token of the first-party client, then a session. */
export async function signIn(harness: Harness, account: LocalAccount): Promise<Session> {
  const { token } = await issueWebToken(harness, account);
  const { sessionId, session } = await createWebSession(harness.database, {
    accountId: account.id,
    accessTokenId: token.id,
  });
  return {
    cookie: `murmur_session=${sessionId}`,
    csrf: csrfTokenFor(session.csrfSecret),
    sessionId,
    tokenId: token.id,
  };
}

export function get(
  harness: Harness,
  url: string,
  session?: Session,
): Promise<LightMyRequestResponse> {
  return harness.app.inject({
    method: 'GET',
    url,
    headers: session ? { cookie: session.cookie } : {},
  });
}

export function postForm(
  harness: Harness,
  url: string,
  fields: Record<string, string>,
  options: { session?: Session; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return harness.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.session ? { cookie: options.session.cookie } : {}),
      ...options.headers,
    },
    payload: new URLSearchParams(fields).toString(),
  });
}

type Node = DefaultTreeAdapterMap['childNode'] | DefaultTreeAdapterMap['document'];
type Element = DefaultTreeAdapterMap['element'];

/** Every element of a parsed HTML document, as a browser would build it. */
export function elementsOf(markup: string): Element[] {
  const out: Element[] = [];
  const walk = (node: Node) => {
    if ('tagName' in node) out.push(node);
    if ('childNodes' in node) for (const child of node.childNodes) walk(child as Node);
    if ('content' in node && node.content) walk(node.content as unknown as Node);
  };
  walk(parse(markup));
  return out;
}

/**
 * What a page may run: only the site's own external script, no inline script, no event-handler
 * attribute, no javascript: URL anywhere.
 */
export function scriptingProblems(markup: string): string[] {
  const problems: string[] = [];
  for (const element of elementsOf(markup)) {
    if (element.tagName === 'script') {
      const src = element.attrs.find((a) => a.name === 'src')?.value ?? '';
      // Only the website's own scripts (the compose counter, the live timeline).
      if (!['/assets/compose.js', '/assets/live.js'].some((own) => src.startsWith(own)))
        problems.push(`script element ${src || '(inline)'}`);
    }
    for (const attr of element.attrs) {
      if (attr.name.startsWith('on')) problems.push(`${element.tagName}[${attr.name}]`);
      if (
        ['href', 'src', 'action', 'formaction'].includes(attr.name) &&
        /^\s*javascript:/i.test(attr.value)
      ) {
        problems.push(`${element.tagName}[${attr.name}=${attr.value}]`);
      }
    }
  }
  return problems;
}

export function csrfFieldOf(markup: string): string | undefined {
  return /name="csrf_token" value="([^"]+)"/.exec(markup)?.[1];
}
