/**
 * Shared TypeBox atoms of the Mastodon API: ids, timestamps, lenient query parameters and the error
 * body. Query parameters are declared as strings and parsed leniently in the handlers, because real
 * clients send `limit=`, `exclude_replies=1`, `local=true` and one-element Rails arrays.
 */
import Type from 'typebox';

/** Ids are opaque strings (64-bit integers as decimal text). */
export const Id = Type.String({ description: 'Opaque id (a 64-bit integer as a string)' });

/** RFC 3339 with milliseconds and an upper-case Z, as Mastodon emits. */
export const DateTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  description: 'RFC 3339 timestamp with milliseconds, UTC',
});

export const DateOnly = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'YYYY-MM-DD',
});

export const Url = Type.String({ pattern: '^https?://', description: 'Absolute URL' });

export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    error_description: Type.Optional(Type.String()),
  },
  { description: 'Mastodon error body', additionalProperties: true },
);

/** A query or form value that may arrive once or as a Rails array (`types[]=a&types[]=b`). */
/** Ids, notification types, tag names: short, and a few of them (bounded, as they echo into `Link`). */
const ListItem = Type.String({ maxLength: 100 });
export const StringOrList = Type.Union([ListItem, Type.Array(ListItem, { maxItems: 20 })]);

/** `limit`, `exclude_replies` and friends: parsed leniently by the handler. */
export const LenientString = Type.String({ maxLength: 64 });

/** Boolean form fields arrive as JSON booleans or as `"true"`/`"1"` strings in forms. */
export const LenientBoolean = Type.Union([Type.Boolean(), Type.String({ maxLength: 16 })]);

export const PageQuery = {
  max_id: Type.Optional(LenientString),
  since_id: Type.Optional(LenientString),
  min_id: Type.Optional(LenientString),
  limit: Type.Optional(LenientString),
};

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const EmptyObject = Type.Object({}, { description: 'An empty object' });
