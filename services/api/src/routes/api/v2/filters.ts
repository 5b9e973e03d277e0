/**
 * Filters: Mastodon's v2 API (`/api/v2/filters`, their keywords and statuses) and the v1 API
 * (`/api/v1/filters`) as Mastodon maps it onto v2: each V1::Filter is one keyword of a v2 filter
 * whose title is the phrase. Matching and hiding happen when statuses are read (@murmur/db).
 */
import {
  addFilterKeyword,
  addFilterStatus,
  createFilter,
  deleteFilter,
  filtersOf,
  findFilter,
  findFilterByKeyword,
  findFilterByStatusEntry,
  removeFilterKeyword,
  removeFilterStatus,
  updateFilter,
  updateFilterKeyword,
  type FilterView,
  type KeywordChange,
} from '@murmur/db/safety';
import Type, { type Static } from 'typebox';
import {
  serializeFilter,
  serializeFilterKeyword,
  serializeFilterStatus,
  serializeV1Filter,
} from '../../../entities/filter.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { HttpError } from '../../../plugins/errors.js';
import { EmptyObject, IdParams, LenientBoolean, StringOrList } from '../../../schemas/atoms.js';
import { Filter, FilterKeyword, FilterStatus, V1Filter } from '../../../schemas/entities.js';
import { ERRORS, parseBoolean, recordNotFound, toList, userOf } from '../_shared.js';

const tags = ['filters'];
/** A keyword is refused beyond 512 characters; the schema only stops absurd bodies early. */
const KeywordText = Type.String({ maxLength: 10_000 });
/** Seconds; forms send text, and an empty value means "never". */
const ExpiresIn = Type.Union([Type.Integer(), Type.String({ maxLength: 20 }), Type.Null()]);

const KeywordAttributes = Type.Object({
  keyword: Type.Optional(KeywordText),
  whole_word: Type.Optional(LenientBoolean),
  id: Type.Optional(Type.String({ maxLength: 64 })),
  _destroy: Type.Optional(LenientBoolean),
});
/** JSON sends an array; Rails-style forms may send `keywords_attributes[0][keyword]=…`. */
const KeywordsAttributes = Type.Union([
  Type.Array(KeywordAttributes, { maxItems: 200 }),
  Type.Record(Type.String({ maxLength: 10 }), KeywordAttributes),
]);

const FilterBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  context: Type.Optional(StringOrList),
  filter_action: Type.Optional(Type.String({ maxLength: 20 })),
  expires_in: Type.Optional(ExpiresIn),
  keywords_attributes: Type.Optional(KeywordsAttributes),
});
const KeywordBody = Type.Object({
  keyword: Type.Optional(KeywordText),
  whole_word: Type.Optional(LenientBoolean),
});
const StatusBody = Type.Object({ status_id: Type.Optional(Type.String({ maxLength: 64 })) });
const V1Body = Type.Object({
  phrase: Type.Optional(KeywordText),
  context: Type.Optional(StringOrList),
  irreversible: Type.Optional(LenientBoolean),
  whole_word: Type.Optional(LenientBoolean),
  expires_in: Type.Optional(ExpiresIn),
});

function missing(field: string): HttpError {
  return new HttpError(422, { error: `Validation failed: ${field} can't be blank` });
}

/** `expires_in` as seconds: undefined when absent, null when empty (never). */
function expiresIn(raw: number | string | null | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null || raw === '') return null;
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HttpError(422, {
      error: 'Validation failed: expires_in must be a number of seconds',
    });
  }
  return value;
}

function keywordChanges(raw: Static<typeof KeywordsAttributes> | undefined): KeywordChange[] {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : Object.values(raw);
  return list.map((k) => ({
    ...(k.id === undefined ? {} : { id: k.id }),
    ...(k.keyword === undefined ? {} : { keyword: k.keyword }),
    ...(k.whole_word === undefined ? {} : { wholeWord: parseBoolean(k.whole_word) }),
    ...(k._destroy === undefined ? {} : { destroy: parseBoolean(k._destroy) }),
  }));
}

export default async function filterRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;
  const read = { auth: 'user' as const, scopes: ['read:filters'] };
  const write = { auth: 'user' as const, scopes: ['write:filters'] };
  const ownFilter = async (accountId: string, id: string): Promise<FilterView> => {
    const filter = await findFilter(database.primary, accountId, id);
    if (!filter) throw recordNotFound();
    return filter;
  };

  app.get(
    '/api/v2/filters',
    {
      config: read,
      schema: { tags, summary: 'Your filters', response: { 200: Type.Array(Filter), ...ERRORS } },
    },
    async (request) => (await filtersOf(database.replica, userOf(request))).map(serializeFilter),
  );

  app.get(
    '/api/v2/filters/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One of your filters',
        params: IdParams,
        response: { 200: Filter, ...ERRORS },
      },
    },
    async (request) => serializeFilter(await ownFilter(userOf(request), request.params.id)),
  );

  app.post(
    '/api/v2/filters',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a filter',
        body: FilterBody,
        response: { 200: Filter, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body;
      if (body.title === undefined) throw missing('Title');
      if (body.context === undefined) throw missing('Context');
      const created = await createFilter(database, {
        accountId: userOf(request),
        title: body.title,
        context: toList(body.context),
        ...(body.filter_action === undefined ? {} : { action: body.filter_action }),
        expiresIn: expiresIn(body.expires_in) ?? null,
        keywords: keywordChanges(body.keywords_attributes)
          .filter((k) => !k.destroy && k.id === undefined && k.keyword !== undefined)
          .map((k) => ({ keyword: k.keyword!, wholeWord: k.wholeWord ?? true })),
      });
      return serializeFilter(created);
    },
  );

  app.put(
    '/api/v2/filters/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a filter and its keywords',
        params: IdParams,
        body: FilterBody,
        response: { 200: Filter, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body;
      const updated = await updateFilter(database, {
        accountId: userOf(request),
        filterId: request.params.id,
        ...(body.title === undefined ? {} : { title: body.title }),
        ...(body.context === undefined ? {} : { context: toList(body.context) }),
        ...(body.filter_action === undefined ? {} : { action: body.filter_action }),
        ...(body.expires_in === undefined ? {} : { expiresIn: expiresIn(body.expires_in) }),
        keywords: keywordChanges(body.keywords_attributes),
      });
      return serializeFilter(updated);
    },
  );

  app.delete(
    '/api/v2/filters/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a filter',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await deleteFilter(database, { accountId: userOf(request), filterId: request.params.id });
      return {};
    },
  );

  // Keywords
  app.get(
    '/api/v2/filters/:id/keywords',
    {
      config: read,
      schema: {
        tags,
        summary: "A filter's keywords",
        params: IdParams,
        response: { 200: Type.Array(FilterKeyword), ...ERRORS },
      },
    },
    async (request) =>
      (await ownFilter(userOf(request), request.params.id)).keywords.map(serializeFilterKeyword),
  );

  app.post(
    '/api/v2/filters/:id/keywords',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a keyword to a filter',
        params: IdParams,
        body: KeywordBody,
        response: { 200: FilterKeyword, ...ERRORS },
      },
    },
    async (request) => {
      if (request.body.keyword === undefined) throw missing('Keyword');
      const keyword = await addFilterKeyword(database, {
        accountId: userOf(request),
        filterId: request.params.id,
        keyword: request.body.keyword,
        ...(request.body.whole_word === undefined
          ? {}
          : { wholeWord: parseBoolean(request.body.whole_word) }),
      });
      return serializeFilterKeyword(keyword);
    },
  );

  app.get(
    '/api/v2/filters/keywords/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One filter keyword',
        params: IdParams,
        response: { 200: FilterKeyword, ...ERRORS },
      },
    },
    async (request) => {
      const filter = await findFilterByKeyword(
        database.primary,
        userOf(request),
        request.params.id,
      );
      const keyword = filter?.keywords.find((k) => k.id === request.params.id);
      if (!keyword) throw recordNotFound();
      return serializeFilterKeyword(keyword);
    },
  );

  app.put(
    '/api/v2/filters/keywords/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a filter keyword',
        params: IdParams,
        body: KeywordBody,
        response: { 200: FilterKeyword, ...ERRORS },
      },
    },
    async (request) =>
      serializeFilterKeyword(
        await updateFilterKeyword(database, {
          accountId: userOf(request),
          keywordId: request.params.id,
          ...(request.body.keyword === undefined ? {} : { keyword: request.body.keyword }),
          ...(request.body.whole_word === undefined
            ? {}
            : { wholeWord: parseBoolean(request.body.whole_word) }),
        }),
      ),
  );

  app.delete(
    '/api/v2/filters/keywords/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove a filter keyword',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await removeFilterKeyword(database, {
        accountId: userOf(request),
        keywordId: request.params.id,
      });
      return {};
    },
  );

  // Statuses
  app.get(
    '/api/v2/filters/:id/statuses',
    {
      config: read,
      schema: {
        tags,
        summary: "A filter's statuses",
        params: IdParams,
        response: { 200: Type.Array(FilterStatus), ...ERRORS },
      },
    },
    async (request) =>
      (await ownFilter(userOf(request), request.params.id)).statuses.map(serializeFilterStatus),
  );

  app.post(
    '/api/v2/filters/:id/statuses',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a status to a filter',
        params: IdParams,
        body: StatusBody,
        response: { 200: FilterStatus, ...ERRORS },
      },
    },
    async (request) => {
      if (request.body.status_id === undefined) throw missing('Status');
      return serializeFilterStatus(
        await addFilterStatus(database, {
          accountId: userOf(request),
          filterId: request.params.id,
          statusId: request.body.status_id,
        }),
      );
    },
  );

  app.get(
    '/api/v2/filters/statuses/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One filtered status',
        params: IdParams,
        response: { 200: FilterStatus, ...ERRORS },
      },
    },
    async (request) => {
      const filter = await findFilterByStatusEntry(
        database.primary,
        userOf(request),
        request.params.id,
      );
      const entry = filter?.statuses.find((s) => s.id === request.params.id);
      if (!entry) throw recordNotFound();
      return serializeFilterStatus(entry);
    },
  );

  app.delete(
    '/api/v2/filters/statuses/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove a status from a filter',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await removeFilterStatus(database, {
        accountId: userOf(request),
        filterStatusId: request.params.id,
      });
      return {};
    },
  );

  // v1, as Mastodon 4 maps it: one V1::Filter per keyword.
  const v1Tags = ['filters (v1)'];
  const v1Filter = async (accountId: string, keywordId: string) => {
    const filter = await findFilterByKeyword(database.primary, accountId, keywordId);
    const keyword = filter?.keywords.find((k) => k.id === keywordId);
    if (!filter || !keyword) throw recordNotFound();
    return { filter, keyword };
  };

  app.get(
    '/api/v1/filters',
    {
      config: read,
      schema: {
        tags: v1Tags,
        summary: 'Your filters, one per keyword (deprecated v1)',
        response: { 200: Type.Array(V1Filter), ...ERRORS },
      },
    },
    async (request) =>
      (await filtersOf(database.replica, userOf(request))).flatMap((filter) =>
        filter.keywords.map((keyword) => serializeV1Filter(filter, keyword)),
      ),
  );

  app.get(
    '/api/v1/filters/:id',
    {
      config: read,
      schema: {
        tags: v1Tags,
        summary: 'One v1 filter',
        params: IdParams,
        response: { 200: V1Filter, ...ERRORS },
      },
    },
    async (request) => {
      const { filter, keyword } = await v1Filter(userOf(request), request.params.id);
      return serializeV1Filter(filter, keyword);
    },
  );

  app.post(
    '/api/v1/filters',
    {
      config: write,
      schema: {
        tags: v1Tags,
        summary: 'Create a filter of one keyword, titled by it (deprecated v1)',
        body: V1Body,
        response: { 200: V1Filter, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body;
      if (body.phrase === undefined) throw missing('Phrase');
      if (body.context === undefined) throw missing('Context');
      const filter = await createFilter(database, {
        accountId: userOf(request),
        title: body.phrase,
        context: toList(body.context),
        action: parseBoolean(body.irreversible) ? 'hide' : 'warn',
        expiresIn: expiresIn(body.expires_in) ?? null,
        keywords: [
          {
            keyword: body.phrase,
            wholeWord: body.whole_word === undefined ? true : parseBoolean(body.whole_word),
          },
        ],
      });
      return serializeV1Filter(filter, filter.keywords[0]!);
    },
  );

  app.put(
    '/api/v1/filters/:id',
    {
      config: write,
      schema: {
        tags: v1Tags,
        summary: 'Change a v1 filter: its keyword, and its filter (deprecated v1)',
        params: IdParams,
        body: V1Body,
        response: { 200: V1Filter, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      const body = request.body;
      const { filter, keyword } = await v1Filter(accountId, request.params.id);
      const updated = await updateFilter(database, {
        accountId,
        filterId: filter.id,
        ...(body.context === undefined ? {} : { context: toList(body.context) }),
        ...(body.irreversible === undefined
          ? {}
          : { action: parseBoolean(body.irreversible) ? 'hide' : 'warn' }),
        ...(body.expires_in === undefined ? {} : { expiresIn: expiresIn(body.expires_in) }),
        keywords: [
          {
            id: keyword.id,
            ...(body.phrase === undefined ? {} : { keyword: body.phrase }),
            ...(body.whole_word === undefined ? {} : { wholeWord: parseBoolean(body.whole_word) }),
          },
        ],
      });
      return serializeV1Filter(
        updated,
        updated.keywords.find((k) => k.id === keyword.id)!,
      );
    },
  );

  app.delete(
    '/api/v1/filters/:id',
    {
      config: write,
      schema: {
        tags: v1Tags,
        summary: 'Delete a v1 filter (its keyword; the filter with its last keyword)',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      const { filter, keyword } = await v1Filter(accountId, request.params.id);
      if (filter.keywords.length === 1)
        await deleteFilter(database, { accountId, filterId: filter.id });
      else await removeFilterKeyword(database, { accountId, keywordId: keyword.id });
      return {};
    },
  );
}
