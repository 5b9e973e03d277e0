/**
 * The set-up of the masto.js tests: the app listening on a port of its own for the file's tests,
 * and people who each hold an unmodified masto.js client (as Elk or Phanpy would) with a token.
 */
import type { Database } from '@murmur/db';
import { createRestAPIClient, type mastodon } from 'masto';
import { afterAll, beforeAll } from 'vitest';
import { createAccountFixture, createListeningTestApp, type TestApp } from './_helpers.js';
import { tokenFor } from './_mastodon.js';

export interface MastoPerson {
  id: string;
  client: mastodon.rest.Client;
}

export interface MastoServer {
  /** The running app's database (read inside tests: the app starts before the file's tests). */
  readonly database: Database;
  /** A new account with a masto.js client whose token has `scopes` (read, write, follow). */
  person(username: string, scopes?: string[]): Promise<MastoPerson>;
}

export function useMastoServer(
  options: Parameters<typeof createListeningTestApp>[0] = {},
): MastoServer {
  let started: { t: TestApp; url: string } | undefined;
  beforeAll(async () => {
    started = await createListeningTestApp(options);
  });
  afterAll(() => started?.t.close());
  const running = () => {
    if (!started) throw new Error('the app starts before the tests: use the server inside them');
    return started;
  };
  return {
    get database() {
      return running().t.database;
    },
    async person(username, scopes = ['read', 'write', 'follow']) {
      const { t, url } = running();
      const account = await createAccountFixture(t.database, { username });
      const accessToken = await tokenFor(t.database, account.id, scopes);
      return { id: account.id, client: createRestAPIClient({ url, accessToken }) };
    },
  };
}

/** Every item of a masto.js paginator, following the `Link` headers page by page. */
export async function allPages<T>(paginator: AsyncIterable<T[]>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginator) items.push(...page);
  return items;
}
