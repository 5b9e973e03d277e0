import pg from 'pg';
import { readFileSync } from 'node:fs';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/murmur_bench_fanout' });
await c.connect();
const pid = (await c.query('select pg_backend_pid() p')).rows[0].p;
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) * 10; };
const lsn = async () => BigInt((await c.query(`select pg_wal_lsn_diff(pg_current_wal_insert_lsn(),'0/0')::text l`)).rows[0].l);
const authors = (await c.query(`select id from accounts where username like 'author%' and username <> 'author200' order by id`)).rows.map(r => r.id);
const posts = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 4);
let k = Number((await c.query(`select coalesce(max(status_id),0)::bigint + 1000 as k from x_feed`)).rows[0].k);
const variants = (process.argv[4] ?? 'plain,sorted').split(',');
for (let r = 0; r < rounds; r++) for (const v of variants) {
  const batches = 200 / posts; // always 200k rows per trial
  if (v.startsWith('ckpt')) await c.query('checkpoint');
  await c.query(`set wal_compression = ${v.endsWith('lz4') ? 'lz4' : v.endsWith('pglz') ? 'pglz' : 'off'}`);
  const w0 = await lsn(); const c0 = cpu(); const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    const ids = authors.slice(b * posts, (b + 1) * posts);
    const order = v === 'sorted' ? 'order by f.account_id, a.n' : '';
    await c.query(`insert into x_feed (account_id, status_id, author_id)
      select f.account_id, $2::bigint + a.n, f.target_account_id
      from unnest($1::bigint[]) with ordinality a(id, n) join follows f on f.target_account_id = a.id ${order}`, [ids, k]);
    k += 1000;
  }
  const t = performance.now() - t0; const cp = cpu() - c0; const w = Number((await lsn()) - w0) / 200000;
  const n = (await c.query(`select pg_relation_size('x_feed_pkey')/8192 p`)).rows[0].p;
  console.log(`${v.padEnd(7)} posts/stmt ${posts} wall ${t.toFixed(0)} ms cpu ${cp} ms wal/row ${w.toFixed(0)} idxpages ${n}`);
}
await c.end();
