import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';

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
 *
 * Whether the user may is asked once per `Database` (a grant takes effect when the process next
 * starts): asked in the statement itself, the check read all of `pg_settings`, 0.7–1.4 ms of every
 * fan-out statement.
 */
export async function compressedPageImages(database: Database): Promise<SQL> {
  let allowed = compressionAllowed.get(database);
  if (allowed === undefined) {
    allowed = queryRows<{ allowed: boolean }>(
      database.primary,
      sql`select has_parameter_privilege('wal_compression', 'SET')
        and exists (select 1 from pg_settings where name = 'wal_compression' and 'lz4' = any(enumvals))
        as allowed`,
    ).then(([row]) => row?.allowed === true);
    compressionAllowed.set(database, allowed);
    // A check that failed (the database unreachable) is asked again next time, not remembered.
    allowed.catch(() => compressionAllowed.delete(database));
  }
  return (await allowed) ? COMPRESSED : UNCHANGED;
}

const compressionAllowed = new WeakMap<Database, Promise<boolean>>();
const COMPRESSED = sql`set_config('wal_compression', 'lz4', true) is not null`;
const UNCHANGED = sql`true`;
