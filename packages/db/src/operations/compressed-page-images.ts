import { sql } from 'drizzle-orm';

/**
 * A condition that is always true and makes the statement's transaction compress the full-page
 * images it writes to the WAL (`wal_compression = lz4`, for this transaction only), where the
 * database user may set it (a superuser, as in `docker-compose.yml`, or a user granted
 * `SET ON PARAMETER wal_compression`) and the server has lz4; elsewhere it changes nothing.
 *
 * For the fan-out: its rows land at random in the home feed's primary key, so after each
 * checkpoint the first change to nearly every leaf page writes the whole page into the WAL. Right
 * after a checkpoint a feed row then cost 920–1,060 bytes of WAL instead of 152, 550–640 with lz4
 * (200,000 rows into a 3–4.6 million-row feed table, three runs each); the CPU time did not
 * change measurably. Less WAL is fewer checkpoints, and shorter waits for the posts' own
 * synchronous commits, which flush the fan-out's WAL before them.
 */
export const compressedPageImages = sql`(select case
    when has_parameter_privilege('wal_compression', 'SET')
      and exists (select 1 from pg_settings where name = 'wal_compression' and 'lz4' = any(enumvals))
    then set_config('wal_compression', 'lz4', true) else 'unchanged' end) is not null`;
