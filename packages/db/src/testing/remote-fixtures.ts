/**
 * What the federation package hands the database for a remote actor and a remote note, with plain
 * defaults, so a test writes only what it is about. They are inputs, not rows: the test stores them
 * through the real operations (`upsertRemoteAccount`, `receiveRemoteStatus`), as the inbox does.
 */
import { randomBytes } from 'node:crypto';
import type { RemoteActorProfile } from '../operations/federation/remote-accounts.js';
import type { RemoteStatusInput } from '../operations/federation/receive-remote-status.js';

const DEFAULT_REMOTE_HOST = 'remote.example';

/**
 * A remote actor; what is not given follows from what is, as on a Mastodon server: the domain is
 * the host of `uri`, the actor is `https://<domain>/users/<username>` and its inbox `<uri>/inbox`.
 */
export function remoteAccountFixture(
  overrides: Partial<RemoteActorProfile> = {},
): RemoteActorProfile {
  const username = overrides.username ?? `remote_${randomBytes(4).toString('hex')}`;
  const domain =
    overrides.domain ?? (overrides.uri ? new URL(overrides.uri).host : DEFAULT_REMOTE_HOST);
  const uri = overrides.uri ?? `https://${domain}/users/${username}`;
  return {
    uri,
    username,
    domain,
    displayName: username,
    note: '',
    url: null,
    inboxUrl: `${uri}/inbox`,
    sharedInboxUrl: null,
    avatarUrl: null,
    headerUrl: null,
    createdAt: null,
    ...overrides,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A public remote note by `accountId`, published now, with a unique `uri`; its HTML is its text in
 * a paragraph unless `contentHtml` is given.
 */
export function remoteStatusFixture(
  overrides: Partial<RemoteStatusInput> & { accountId: string },
): RemoteStatusInput {
  const text = overrides.text ?? `Hello from afar ${randomBytes(3).toString('hex')}`;
  return {
    uri: `https://${DEFAULT_REMOTE_HOST}/statuses/${randomBytes(6).toString('hex')}`,
    url: null,
    contentHtml: `<p>${escapeHtml(text)}</p>`,
    text,
    spoilerText: '',
    sensitive: false,
    language: null,
    visibility: 'public',
    inReplyToId: null,
    mentionedAccountIds: [],
    hashtags: [],
    publishedAt: new Date(),
    ...overrides,
  };
}
