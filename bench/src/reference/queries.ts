/**
 * The reference: for each scenario, the best single SQL statement we can write that returns the
 * response body (Mastodon's JSON shape, built by PostgreSQL) — what the same work costs with no
 * layers in between. The service's throughput is reported as a share of this one's.
 */

const ORIGIN = 'http://localhost:3000';

/** Mastodon's Account entity from the accounts row `a`. */
const ACCOUNT_JSON = `json_build_object(
  'id', a.id::text, 'username', a.username, 'acct', a.username,
  'url', '${ORIGIN}/@' || a.username, 'uri', '${ORIGIN}/@' || a.username,
  'display_name', a.display_name, 'note', case when a.note = '' then '' else '<p>' || a.note || '</p>' end,
  'avatar', '${ORIGIN}/avatars/original/missing.png', 'avatar_static', '${ORIGIN}/avatars/original/missing.png',
  'header', '${ORIGIN}/headers/original/missing.png', 'header_static', '${ORIGIN}/headers/original/missing.png',
  'locked', false, 'bot', false, 'group', false, 'discoverable', true, 'indexable', true,
  'hide_collections', false, 'noindex', false, 'fields', '[]'::json, 'emojis', '[]'::json, 'roles', '[]'::json,
  'created_at', to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T00:00:00.000Z"'),
  'last_status_at', a.last_status_at::text, 'statuses_count', a.statuses_count,
  'followers_count', a.followers_count, 'following_count', a.following_count)`;

/**
 * Mastodon's Status entity from the statuses row `s` (joined to its author `a`); `viewer` is a SQL
 * expression for the viewing account id (null when anonymous). The content is the escaped text in a
 * paragraph: roughly the size of the formatter's output, without its links.
 */
function statusJson(viewer: string): string {
  return `json_build_object(
  'id', s.id::text, 'uri', '${ORIGIN}/@' || a.username || '/' || s.id, 'url', '${ORIGIN}/@' || a.username || '/' || s.id,
  'created_at', to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'edited_at', null,
  'account', ${ACCOUNT_JSON},
  'content', '<p>' || replace(replace(replace(s.text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</p>',
  'text', null, 'visibility', s.visibility, 'sensitive', s.sensitive, 'spoiler_text', s.spoiler_text,
  'language', s.language, 'in_reply_to_id', s.in_reply_to_id::text, 'in_reply_to_account_id', s.in_reply_to_account_id::text,
  'media_attachments', '[]'::json,
  'mentions', coalesce((select json_agg(json_build_object('id', ma.id::text, 'username', ma.username,
      'url', '${ORIGIN}/@' || ma.username, 'acct', ma.username) order by ma.username)
    from mentions m join accounts ma on ma.id = m.account_id where m.status_id = s.id), '[]'::json),
  'tags', coalesce((select json_agg(json_build_object('name', t.name, 'url', '${ORIGIN}/tags/' || t.name) order by t.name)
    from status_tags st join tags t on t.id = st.tag_id where st.status_id = s.id), '[]'::json),
  'emojis', '[]'::json, 'replies_count', s.replies_count, 'reblogs_count', s.reblogs_count,
  'favourites_count', s.favourites_count, 'quotes_count', 0, 'poll', null, 'card', null, 'application', null,
  'reblog', null,
  'favourited', exists(select 1 from favourites f where f.status_id = s.id and f.account_id = ${viewer}),
  'reblogged', false)`;
}

/** Who may see a status: public and unlisted for everyone, private for followers and the author. */
function visibleTo(viewer: string): string {
  return `(s.visibility in ('public', 'unlisted') or s.account_id = ${viewer}
    or (s.visibility = 'private' and exists (select 1 from follows vf where vf.account_id = ${viewer} and vf.target_account_id = s.account_id)))`;
}

const VIEWER = `(select t.account_id from oauth_access_tokens t where t.token_hash = $1 and t.revoked_at is null)`;

/**
 * Page sizes are literals in the text (one prepared statement per size), as in the service: with a
 * parameter, PostgreSQL's generic plan assumes a tenth of the table is wanted and is never used, so
 * every execution would be planned again.
 */
export const PUBLIC_TIMELINE = (limit: number) => `
  select coalesce(json_agg(${statusJson('null')} order by s.id desc), '[]')::text as body
  from (select * from statuses where deleted_at is null and visibility = 'public' and reblog_of_id is null
        order by id desc limit ${limit}) s
  join accounts a on a.id = s.account_id`;

/**
 * The ids of a home page without a precomputed feed, the best we can write by hand for Mastodon's
 * home semantics (followed accounts' posts and boosts, one's own, no direct messages, replies only
 * to the author, the reader or someone followed). No single pull plan is flat: one index probe per
 * followed account (LATERAL) is best for readers following few accounts, a backwards scan of recent
 * statuses for readers following many; the statement picks by the reader's follow count.
 */
export const HOME_PAGE_IDS = (reader: string, limit: number) => {
  const home = `s.deleted_at is null and s.visibility <> 'direct'
    and (s.in_reply_to_account_id is null or s.in_reply_to_account_id = s.account_id
      or s.in_reply_to_account_id = ${reader}
      or exists (select 1 from follows rf where rf.account_id = ${reader} and rf.target_account_id = s.in_reply_to_account_id))`;
  const follows = `(select following_count from accounts where id = ${reader})`;
  return `
  select id from (
    select x.id from follows f cross join lateral (
      select s.id from statuses s where s.account_id = f.target_account_id and ${home}
      order by s.id desc limit ${limit}) x
    where f.account_id = ${reader} and ${follows} <= 200
    union all
    (select s.id from statuses s
      where s.account_id in (select f.target_account_id from follows f where f.account_id = ${reader})
        and ${home} and ${follows} > 200
      order by s.id desc limit ${limit})
    union all
    (select s.id from statuses s where s.account_id = ${reader} and s.deleted_at is null
      and s.visibility <> 'direct' order by s.id desc limit ${limit})
  ) u order by id desc limit ${limit}`;
};

/** $1 token hash. `authorized` is false for an unknown token. */
export const HOME_TIMELINE = (limit: number) => `
  with viewer as ${VIEWER}
  select exists(select 1 from viewer) as authorized,
    coalesce(json_agg(${statusJson('(select account_id from viewer)')} order by s.id desc), '[]')::text as body
  from (select * from statuses
        where id in (${HOME_PAGE_IDS('(select account_id from viewer)', limit)})) s
  join accounts a on a.id = s.account_id`;

/** $1 account id (anonymous viewer). */
export const ACCOUNT_STATUSES = (limit: number) => `
  select coalesce(json_agg(${statusJson('null')} order by s.id desc), '[]')::text as body
  from (select * from statuses where account_id = $1 and deleted_at is null and visibility in ('public', 'unlisted')
        order by id desc limit ${limit}) s
  join accounts a on a.id = s.account_id`;

/** $1 status id (anonymous viewer); no row when it does not exist. */
export const STATUS = `
  select ${statusJson('null')}::text as body
  from statuses s join accounts a on a.id = s.account_id
  where s.id = $1 and s.deleted_at is null and ${visibleTo('null')}`;

/** $1 status id: ancestors (up to 40) and descendants (up to 60, depth 20) in one statement. */
export const STATUS_CONTEXT = `
  with recursive up(id, parent, depth) as (
    select s.id, s.in_reply_to_id, 0 from statuses s where s.id = $1
    union all
    select p.id, p.in_reply_to_id, u.depth + 1 from up u join statuses p on p.id = u.parent where u.depth < 40
  ), down(id, depth, path) as (
    select s.id, 1, array[s.id] from statuses s where s.in_reply_to_id = $1 and s.deleted_at is null
    union all
    select s.id, d.depth + 1, d.path || s.id from down d join statuses s on s.in_reply_to_id = d.id
    where d.depth < 20 and s.deleted_at is null
  ), ancestors as (
    select u.depth as ord, s.* from up u join statuses s on s.id = u.id
    where u.depth > 0 and s.deleted_at is null and ${visibleTo('null')}
  ), descendants as (
    select d.path as ord, s.* from down d join statuses s on s.id = d.id where ${visibleTo('null')}
    order by d.path limit 60
  )
  select json_build_object(
    'ancestors', coalesce((select json_agg(${statusJson('null')} order by s.ord desc)
      from ancestors s join accounts a on a.id = s.account_id), '[]'::json),
    'descendants', coalesce((select json_agg(${statusJson('null')} order by s.ord)
      from descendants s join accounts a on a.id = s.account_id), '[]'::json))::text as body`;

/**
 * $1 token hash, $2 text, $3 mentioned usernames (lower case), $4 tag names, $5 tag display names.
 * Inserts the status, its mentions and tags, bumps the author's counters and writes the events to the
 * outbox: what createStatus does, as one statement.
 */
export const CREATE_STATUS = `
  with viewer as ${VIEWER},
  status as (
    insert into statuses (account_id, text, visibility, language)
    select account_id, $2, 'public', null from viewer returning *
  ),
  mentioned as (
    insert into mentions (status_id, account_id)
    select status.id, ma.id from status, accounts ma where lower(ma.username) = any($3::text[])
    returning account_id
  ),
  tag as (
    insert into tags (name, display_name) select * from unnest($4::text[], $5::text[])
    on conflict (name) do update set name = excluded.name returning id
  ),
  tagged as (insert into status_tags (tag_id, status_id) select tag.id, status.id from tag, status),
  counted as (
    update accounts set statuses_count = statuses_count + 1, last_status_at = current_date
    where id = (select account_id from viewer)
  ),
  events as (
    insert into outbox_events (id, type, payload)
    select gen_random_uuid(), 'PostCreated', jsonb_build_object('statusId', status.id::text) from status
    union all
    select gen_random_uuid(), 'UserMentioned', jsonb_build_object('statusId', status.id::text, 'mentionedAccountId', mentioned.account_id::text)
    from status, mentioned where mentioned.account_id <> status.account_id
  )
  select ${statusJson('null')}::text as body from status s join accounts a on a.id = s.account_id`;

/**
 * $1 token hash, $2 status id. Favourites a public status, bumps its counter and writes the event to
 * the outbox, then returns the status: what favouriteStatus and the route do, as one statement.
 */
export const FAVOURITE_STATUS = `
  with viewer as ${VIEWER},
  target as (
    select * from statuses where id = $2 and deleted_at is null and visibility in ('public', 'unlisted')
  ),
  inserted as (
    insert into favourites (account_id, status_id)
    select viewer.account_id, target.id from viewer, target
    on conflict do nothing returning status_id
  ),
  counted as (
    update statuses set favourites_count = favourites_count + 1
    where id in (select status_id from inserted) returning favourites_count
  ),
  events as (
    insert into outbox_events (id, type, payload)
    select gen_random_uuid(), 'StatusFavourited',
      jsonb_build_object('statusId', inserted.status_id::text, 'accountId', viewer.account_id::text)
    from inserted, viewer
  )
  select ${statusJson('null')}::text as body
  from target s join accounts a on a.id = s.account_id, viewer`;
