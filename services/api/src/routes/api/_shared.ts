/**
 * What the Mastodon route modules share: who is asking, lenient parameter parsing (clients send
 * `limit=`, `limit=abc`, `exclude_replies=1`, one-element Rails arrays), Mastodon's keyset pages and
 * their `Link` header, and the error responses every route documents.
 */
import { clampLimit, DomainError, type Executor, type Page } from '@murmur/db';
import { relationships } from '@murmur/db/follows';
import { type StatusView } from '@murmur/db/statuses';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  serializeAccount,
  serializeRelationship,
  type EntityContext,
} from '../../entities/index.js';
import type { Account } from '../../schemas/entities.js';
import type { AccountView } from '@murmur/db/accounts';
import { ErrorBody } from '../../schemas/atoms.js';

/** The signed-in account, or null (anonymous or app-only token). */
export function viewerOf(request: FastifyRequest): string | null {
  return request.auth?.accountId ?? null;
}

/** The signed-in account on routes declared `auth: 'user'` (the auth plugin guarantees one). */
export function userOf(request: FastifyRequest): string {
  const accountId = request.auth?.accountId;
  if (!accountId) throw new Error('userOf() used on a route that does not require a user');
  return accountId;
}

export function entityContext(request: FastifyRequest): EntityContext {
  return { publicUrl: request.server.config.publicOrigin, viewerId: viewerOf(request) };
}

/**
 * Sends JSON text the status writer built (entities/status-json.ts): it is the route's documented
 * response, already serialized, so Fastify sends it as it is.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

/** Responds with one Status entity. */
export function sendStatus(request: FastifyRequest, reply: FastifyReply, view: StatusView) {
  return sendJsonText(reply, request.server.statusJson.status(view, viewerOf(request)));
}

/** Responds with an array of Status entities. */
export function sendStatuses(
  request: FastifyRequest,
  reply: FastifyReply,
  views: readonly StatusView[],
) {
  return sendJsonText(reply, request.server.statusJson.statuses(views, viewerOf(request)));
}

/** Responds with a thread's Context entity. */
export function sendContext(
  request: FastifyRequest,
  reply: FastifyReply,
  thread: { ancestors: readonly StatusView[]; descendants: readonly StatusView[] },
) {
  const { statuses } = request.server.statusJson;
  const viewerId = viewerOf(request);
  return sendJsonText(
    reply,
    `{"ancestors":${statuses(thread.ancestors, viewerId)},"descendants":${statuses(thread.descendants, viewerId)}}`,
  );
}

/** Like Mastodon, an unusable `limit` means the default, and a large one the maximum. */
export function parseLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const parsed = Number.parseInt(raw, 10);
  return clampLimit(Number.isNaN(parsed) ? undefined : parsed, fallback, max);
}

const FALSE_VALUES = new Set(['', '0', 'f', 'false', 'off', 'no', 'n']);

/** Rails' boolean casting: anything but a false-ish value is true; absent is false. */
export function parseBoolean(raw: boolean | string | undefined | null): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  return !FALSE_VALUES.has(raw.trim().toLowerCase());
}

/** `x` or `x[]` as a list. */
export function toList(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

/** Non-negative integer (`offset`), 0 when unusable. */
export function parseOffset(raw: string | undefined): number {
  const parsed = Number.parseInt(raw ?? '', 10);
  return Number.isNaN(parsed) || parsed < 0 ? 0 : Math.min(parsed, 10_000);
}

export interface PageQueryValues {
  max_id?: string | undefined;
  since_id?: string | undefined;
  min_id?: string | undefined;
  limit?: string | undefined;
}

export function pageOf(query: PageQueryValues, fallback: number, max: number): Page {
  return {
    maxId: query.max_id,
    sinceId: query.since_id,
    minId: query.min_id,
    limit: parseLimit(query.limit, fallback, max),
  };
}

const CURSOR_PARAMS = ['max_id', 'since_id', 'min_id'];

/** The query parameters the route declares in its schema: the ones that page and filter. */
function declaredQueryParameters(request: FastifyRequest): Set<string> {
  const schema = request.routeOptions.schema?.querystring as
    { properties?: Record<string, unknown> } | undefined;
  return new Set(Object.keys(schema?.properties ?? {}));
}

/**
 * Mastodon's `Link` header: `next` pages to older entries (max_id = the last id), `prev` to newer
 * ones (min_id = the first id). The route's other declared parameters (`limit`, `types[]`,
 * `tagged`…) are kept, so filters survive paging; anything else a client put in the query is not
 * echoed (an 8 KB junk parameter made a 16 KB header, more than proxies accept). Nothing is sent
 * for an empty page.
 */
export function setLinkHeader(
  request: FastifyRequest,
  reply: FastifyReply,
  cursors: { first: string | null | undefined; last: string | null | undefined },
): void {
  if (!cursors.first || !cursors.last) return;
  const origin = request.server.config.publicOrigin;
  const url = new URL(request.url, origin);
  const declared = declaredQueryParameters(request);
  const kept = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    const base = name.endsWith('[]') ? name.slice(0, -2) : name;
    if (declared.has(base) && !CURSOR_PARAMS.includes(base)) kept.append(name, value);
  }
  const link = (param: string, value: string) => {
    const params = new URLSearchParams(kept);
    params.set(param, value);
    return `<${origin}${url.pathname}?${params}>`;
  };
  reply.header(
    'link',
    `${link('max_id', cursors.last)}; rel="next", ${link('min_id', cursors.first)}; rel="prev"`,
  );
}

/**
 * The answer of a paged list of accounts (followers, blocks, endorsements, ...): the `Link` header
 * from the page's cursors, and the accounts as Mastodon entities.
 */
export function sendAccountPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: {
    accounts: readonly AccountView[];
    firstCursor: string | null | undefined;
    lastCursor: string | null | undefined;
  },
): Account[] {
  setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
  const origin = request.server.config.publicOrigin;
  return page.accounts.map((account) => serializeAccount(account, origin));
}

/** Link header over a list of entities with ids (statuses, notifications). */
export function setLinkHeaderFor(
  request: FastifyRequest,
  reply: FastifyReply,
  items: readonly { id: string }[],
): void {
  setLinkHeader(request, reply, { first: items[0]?.id, last: items.at(-1)?.id });
}

export function recordNotFound(): DomainError {
  return new DomainError('AccountNotFound', 'Record not found');
}

/** The Relationship entity of the viewer to one account, as actions on accounts answer it. */
export async function relationshipWith(executor: Executor, viewerId: string, targetId: string) {
  const [relationship] = await relationships(executor, viewerId, [targetId]);
  if (!relationship) throw recordNotFound();
  return serializeRelationship(relationship);
}

/**
 * The answer of an action the signed-in account takes on account `:id` (block, mute, endorse, ...):
 * `act` runs with who acts, on whom and the request id, then the relationship as it now stands.
 */
export async function relationshipAfter(
  request: FastifyRequest<{ Params: { id: string } }>,
  act: (input: {
    accountId: string;
    targetAccountId: string;
    requestId: string;
  }) => Promise<unknown>,
) {
  const accountId = userOf(request);
  await act({ accountId, targetAccountId: request.params.id, requestId: request.id });
  return relationshipWith(request.server.database.primary, accountId, request.params.id);
}

/** Error answers, documented on every route (the body is always `{error}`). */
export const ERRORS = {
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
} as const;

export const EmptyArray = Type.Array(Type.Unknown(), {
  maxItems: 0,
  description: 'Always empty here',
});
