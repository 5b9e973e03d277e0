import Type, { type Static } from 'typebox';

// Ids PostgreSQL's bigint can hold (up to 8999999999999999999: snowflakes stay far below for centuries).
const Id = Type.String({ pattern: '^(?:[0-9]{1,18}|[1-8][0-9]{18})$' });

export const PageQuery = Type.Object({
  max_id: Type.Optional(Id),
  min_id: Type.Optional(Id),
});
export type PageQuery = Static<typeof PageQuery>;

export const UsernameParams = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 40 }),
});
export type UsernameParams = Static<typeof UsernameParams>;

/** An account here (`alice`) or of another server (`mallory@remote.example`). */
export const AccountHandleParams = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 300 }),
});

export const StatusParams = Type.Object({
  /** The author's username, or `user@host` for another server's post. */
  username: Type.String({ minLength: 1, maxLength: 300 }),
  id: Id,
});
export type StatusParams = Static<typeof StatusParams>;

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;

/** What every website form carries. */
export const FormBase = {
  csrf_token: Type.Optional(Type.String({ maxLength: 200 })),
  return_to: Type.Optional(Type.String({ maxLength: 2000 })),
};
export const ActionForm = Type.Object(FormBase);
export type ActionForm = Static<typeof ActionForm>;

export const PAGE_SIZE = 20;

/** A Page for the @murmur/db queries from max_id/min_id. */
export function pageFrom(query: PageQuery, limit = PAGE_SIZE) {
  return { maxId: query.max_id ?? null, minId: query.min_id ?? null, limit };
}
