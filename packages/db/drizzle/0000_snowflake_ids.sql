-- 64-bit time-sortable ids: milliseconds since the Unix epoch in the high 48 bits, a sequence in the
-- low 16. Ids from different processes interleave by time, so keyset pagination on ids is pagination
-- by time, and Mastodon clients get the numeric string ids they expect.
CREATE SEQUENCE IF NOT EXISTS snowflake_sequence CYCLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION snowflake_id_at(at timestamptz) RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT (floor(extract(epoch FROM at) * 1000)::bigint << 16) | (nextval('snowflake_sequence') & 65535)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION snowflake_id() RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT snowflake_id_at(clock_timestamp())
$$;
