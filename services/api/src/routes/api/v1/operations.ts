/**
 * Small operations apps call: `GET /health` (Mastodon's plain "OK"), the translation languages (none:
 * this server does not translate, so the object is empty and the instance says
 * `translation.enabled: false`) and oEmbed for a post of this server, so that other sites can embed it.
 */
import { findVisibleStatus } from '@murmur/db/timelines';
import { escapeHtml, excerpt } from '@murmur/text';
import Type from 'typebox';
import { content } from '../../../entities/status.js';
import { profileUrl, statusUrl } from '../../../entities/context.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { recordNotFound, ERRORS } from '../_shared.js';

const OEmbedQuery = Type.Object({
  url: Type.String({ maxLength: 2048 }),
  maxwidth: Type.Optional(Type.String({ maxLength: 10 })),
  maxheight: Type.Optional(Type.String({ maxLength: 10 })),
});
const OEmbedResponse = Type.Object({
  type: Type.Literal('rich'),
  version: Type.Literal('1.0'),
  title: Type.String(),
  author_name: Type.String(),
  author_url: Type.String(),
  provider_name: Type.String(),
  provider_url: Type.String(),
  cache_age: Type.Integer(),
  html: Type.String(),
  width: Type.Integer(),
  height: Type.Null(),
});

/** The id of a status of this server from its URL (`/@user/123` or `/users/user/statuses/123`). */
export function statusIdFromUrl(raw: string, origin: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const match =
    /^\/(?:@[A-Za-z0-9_]{1,30}|users\/[A-Za-z0-9_]{1,30}\/statuses)\/(\d{1,20})\/?$/.exec(
      url.pathname,
    );
  return match?.[1] ?? null;
}

const EMBED_WIDTH = 400;

export default async function operationsRoutes(app: ApiInstance): Promise<void> {
  const origin = app.config.publicOrigin;

  app.get(
    '/health',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['health'],
        summary: 'Whether the API answers (plain `OK`, as Mastodon)',
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK'),
  );

  app.get(
    '/api/v1/instance/translation_languages',
    {
      config: { auth: 'optional', scopes: [] },
      schema: {
        tags: ['instance'],
        summary:
          'Languages statuses can be translated between: none, this server does not translate',
        response: { 200: Type.Record(Type.String(), Type.Array(Type.String())) },
      },
    },
    async () => ({}),
  );

  app.get(
    '/api/oembed',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['oembed'],
        summary: 'oEmbed of a public post of this server (`url`: the post page)',
        querystring: OEmbedQuery,
        response: { 200: OEmbedResponse, ...ERRORS },
      },
    },
    async (request) => {
      const statusId = statusIdFromUrl(request.query.url, origin);
      // As an anonymous reader: only public and unlisted posts can be embedded.
      const status = statusId ? await findVisibleStatus(app.database.replica, statusId) : null;
      if (!status || status.reblog !== null) throw recordNotFound();
      const author = status.account;
      const name = author.displayName.trim() || author.username;
      const link = statusUrl(origin, author.username, status.id);
      const warning = status.spoilerText
        ? `<p><strong>${escapeHtml(status.spoilerText)}</strong></p>`
        : '';
      const html = `<blockquote class="murmur-embed" style="max-width: ${EMBED_WIDTH}px">${warning}${content(status, origin)}<p>— ${escapeHtml(name)} (@${escapeHtml(author.username)}) <a href="${escapeHtml(link)}">${escapeHtml(status.createdAt.toISOString().slice(0, 10))}</a></p></blockquote>`;
      return {
        type: 'rich' as const,
        version: '1.0' as const,
        title: excerpt(`New status by ${name}`, 200),
        author_name: name,
        author_url: profileUrl(origin, author.username),
        provider_name: new URL(origin).host,
        provider_url: `${origin}/`,
        cache_age: 86_400,
        html,
        width: EMBED_WIDTH,
        height: null,
      };
    },
  );
}
