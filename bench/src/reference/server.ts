/**
 * The reference server: a minimal Fastify app on the same data answering each scenario with one
 * hand-written SQL statement whose result is already the response body, plus bare routes returning a
 * pre-serialized body of a requested size (the framework and loopback ceiling). Run as its own process
 * by the benchmark: REFERENCE_DATABASE_URL, REFERENCE_PORT, REFERENCE_POOL_SIZE.
 */
import { createHash } from 'node:crypto';
import { extractHashtags, extractMentions } from '@murmur/text';
import Fastify from 'fastify';
import pg from 'pg';
import {
  ACCOUNT_STATUSES,
  CREATE_STATUS,
  FAVOURITE_STATUS,
  HOME_TIMELINE,
  PUBLIC_TIMELINE,
  STATUS,
  STATUS_CONTEXT,
} from './queries.js';

const databaseUrl =
  process.env.REFERENCE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/murmur';
const port = Number(process.env.REFERENCE_PORT ?? 3099);
// The API's pool holds 10 connections by default; the reference gets the same.
const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: Number(process.env.REFERENCE_POOL_SIZE ?? 10),
  // Without JIT, as the services' pools run (@murmur/db): compiling the home statement, costed for
  // its unexecuted branches, took longer than running it.
  options: '-c jit=off',
});
pool.on('error', () => {});

const app = Fastify({ logger: false });
const JSON_TYPE = 'application/json; charset=utf-8';

function limitOf(query: unknown): number {
  const raw = Number((query as { limit?: string }).limit ?? 20);
  return Number.isInteger(raw) ? Math.min(40, Math.max(1, raw)) : 20;
}

function tokenHash(authorization: string | undefined): string | null {
  const match = /^Bearer (.+)$/i.exec(authorization ?? '');
  return match ? createHash('sha256').update(match[1]!, 'utf8').digest('hex') : null;
}

/**
 * Statements run prepared (named): parsed and planned once per connection, as the service's hot
 * statements are — planning them costs PostgreSQL about as much as running them.
 */
const statementNames = new Map<string, string>();
function prepared(text: string, values: unknown[]) {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ref_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

async function body(sql: string, values: unknown[]): Promise<string | undefined> {
  const { rows } = await pool.query<{ body: string }>(prepared(sql, values));
  return rows[0]?.body;
}

app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/readyz', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

app.get('/ref/timelines/public', async (request, reply) =>
  reply.type(JSON_TYPE).send(await body(PUBLIC_TIMELINE(limitOf(request.query)), [])),
);

app.get('/ref/timelines/home', async (request, reply) => {
  const hash = tokenHash(request.headers.authorization);
  if (!hash) return reply.code(401).send({ error: 'The access token is invalid' });
  // Planned each time, as in the service: the best plan depends on how many accounts the reader
  // follows, and a generic plan made for an average reader is many times slower for this one.
  const { rows } = await pool.query<{ authorized: boolean; body: string }>(
    HOME_TIMELINE(limitOf(request.query)),
    [hash],
  );
  if (!rows[0]?.authorized) return reply.code(401).send({ error: 'The access token is invalid' });
  return reply.type(JSON_TYPE).send(rows[0].body);
});

app.get<{ Params: { id: string } }>('/ref/accounts/:id/statuses', async (request, reply) => {
  if (!/^\d{1,19}$/.test(request.params.id))
    return reply.code(404).send({ error: 'Record not found' });
  return reply
    .type(JSON_TYPE)
    .send(await body(ACCOUNT_STATUSES(limitOf(request.query)), [request.params.id]));
});

app.get<{ Params: { id: string } }>('/ref/statuses/:id', async (request, reply) => {
  if (!/^\d{1,19}$/.test(request.params.id))
    return reply.code(404).send({ error: 'Record not found' });
  const result = await body(STATUS, [request.params.id]);
  if (result === undefined) return reply.code(404).send({ error: 'Record not found' });
  return reply.type(JSON_TYPE).send(result);
});

app.get<{ Params: { id: string } }>('/ref/statuses/:id/context', async (request, reply) => {
  if (!/^\d{1,19}$/.test(request.params.id))
    return reply.code(404).send({ error: 'Record not found' });
  return reply.type(JSON_TYPE).send(await body(STATUS_CONTEXT, [request.params.id]));
});

app.post<{ Body: { status?: string } }>('/ref/statuses', async (request, reply) => {
  const hash = tokenHash(request.headers.authorization);
  const text = request.body?.status;
  if (!hash) return reply.code(401).send({ error: 'The access token is invalid' });
  if (typeof text !== 'string' || text.length === 0 || text.length > 500) {
    return reply.code(422).send({ error: 'Validation failed' });
  }
  const tags = extractHashtags(text);
  const result = await body(CREATE_STATUS, [hash, text, extractMentions(text), tags, tags]);
  if (result === undefined) return reply.code(401).send({ error: 'The access token is invalid' });
  return reply.type(JSON_TYPE).send(result);
});

app.post<{ Params: { id: string } }>('/ref/statuses/:id/favourite', async (request, reply) => {
  const hash = tokenHash(request.headers.authorization);
  if (!hash) return reply.code(401).send({ error: 'The access token is invalid' });
  if (!/^\d{1,19}$/.test(request.params.id))
    return reply.code(404).send({ error: 'Record not found' });
  const result = await body(FAVOURITE_STATUS, [hash, request.params.id]);
  if (result === undefined) return reply.code(404).send({ error: 'Record not found' });
  return reply.type(JSON_TYPE).send(result);
});

// Pre-serialized bodies of a given size: what answering costs when no work is done at all.
const bodies = new Map<string, string>();
function paddedBody(bytes: number, html: boolean): string {
  const key = `${html}:${bytes}`;
  let cached = bodies.get(key);
  if (cached === undefined) {
    const frame = html ? '<!doctype html><p></p>' : '{"padding":""}';
    cached = html
      ? `<!doctype html><p>${'x'.repeat(Math.max(0, bytes - frame.length))}</p>`
      : `{"padding":"${'x'.repeat(Math.max(0, bytes - frame.length))}"}`;
    bodies.set(key, cached);
  }
  return cached;
}

app.get<{ Params: { bytes: string } }>('/bare/json/:bytes', async (request, reply) =>
  reply
    .type(JSON_TYPE)
    .send(paddedBody(Math.min(10_000_000, Number(request.params.bytes) || 0), false)),
);
app.get<{ Params: { bytes: string } }>('/bare/html/:bytes', async (request, reply) =>
  reply
    .type('text/html; charset=utf-8')
    .send(paddedBody(Math.min(10_000_000, Number(request.params.bytes) || 0), true)),
);

await app.listen({ host: '127.0.0.1', port });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}
