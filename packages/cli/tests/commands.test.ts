/**
 * murmurctl's announcement, domain block and VAPID commands, run in-process through `runMurmurctl` (the same
 * function the entry point calls) against a real database: what the operator types, what they read,
 * the exit code, and what the apps then see.
 */
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { activeAnnouncements } from '@murmur/db/announcements';
import { listAuditLog, listInstanceDomainBlocks } from '@murmur/db/moderation';
import { useTestDatabase } from '@murmur/db/testing';
import { EXIT, runMurmurctl } from '../src/commands.js';

const testDb = useTestDatabase();

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMurmurctl(
    argv,
    { out: (line) => out.push(line), err: (line) => err.push(line) },
    () => ({ database: testDb.database, bcryptCost: 10, localDomain: 'murmur.test' }),
  );
  return { code, out, err };
}

describe('murmurctl announcements', () => {
  it('publishes, lists and removes an announcement the apps then see or stop seeing', async () => {
    const added = await run(
      'announcements',
      'add',
      'Maintenance on Sunday #ops',
      '--ends-at',
      new Date(Date.now() + 86_400_000).toISOString(),
    );
    expect(added.code).toBe(EXIT.ok);
    const id = /Published announcement (\d+)\./.exec(added.out[0] ?? '')?.[1];
    expect(id).toBeDefined();
    const [shown] = await activeAnnouncements(testDb.database.primary, null);
    expect(shown).toMatchObject({ id, text: 'Maintenance on Sunday #ops' });

    expect((await run('announcements', 'list')).out.join('\n')).toContain(`[${id}]`);
    expect((await run('announcements', 'remove', id!)).code).toBe(EXIT.ok);
    expect(await activeAnnouncements(testDb.database.primary, null)).toEqual([]);
    const again = await run('announcements', 'remove', id!);
    expect(again).toMatchObject({ code: EXIT.refused });
    expect(again.err.join('\n')).toContain('No announcement with that id');
  });

  it('refuses a time it cannot read, and empty text, with the right exit codes', async () => {
    const badTime = await run('announcements', 'add', 'Soon', '--ends-at', 'next tuesday');
    expect(badTime.code).toBe(EXIT.usage);
    expect(badTime.err.join('\n')).toContain('is not a time');
    expect((await run('announcements', 'add', '   ')).code).toBe(EXIT.refused);
  });
});

describe('murmurctl vapid generate', () => {
  it('prints a P-256 key pair as the two variables, a new one each time', async () => {
    const first = await run('vapid', 'generate');
    const second = await run('vapid', 'generate');
    expect(first.code).toBe(EXIT.ok);
    const [publicLine, privateLine] = first.out;
    const publicKey = /^VAPID_PUBLIC_KEY=([A-Za-z0-9_-]+)$/.exec(publicLine ?? '')?.[1];
    expect(/^VAPID_PRIVATE_KEY=[A-Za-z0-9_-]{43}$/.test(privateLine ?? '')).toBe(true);
    // An uncompressed P-256 point: 65 bytes starting with 0x04, and a key Node can import.
    const point = Buffer.from(publicKey!, 'base64url');
    expect(point).toHaveLength(65);
    expect(point[0]).toBe(0x04);
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    };
    expect(createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyType).toBe('ec');
    expect(second.out[0]).not.toBe(publicLine);
    expect((await run('vapid', 'rotate')).code).toBe(EXIT.usage);
  });
});

describe('murmurctl domains', () => {
  it('blocks, changes, lists and unblocks a server, each change in the audit log', async () => {
    const blocked = await run(
      'domains',
      'block',
      'Spam.Example',
      '--severity',
      'suspend',
      '--reject-media',
      '--public-comment',
      'Spam',
    );
    expect(blocked).toMatchObject({ code: EXIT.ok, out: ['spam.example is blocked (suspend).'] });
    expect((await run('domains', 'list')).out).toEqual([
      'spam.example: suspend, reject media — Spam',
    ]);
    const changed = await run('domains', 'change', 'spam.example', '--severity', 'silence');
    expect(changed.code).toBe(EXIT.ok);
    const [block] = await listInstanceDomainBlocks(testDb.database.primary, { limit: 10 });
    expect(block).toMatchObject({ domain: 'spam.example', severity: 'silence', rejectMedia: true });

    expect((await run('domains', 'unblock', 'spam.example')).code).toBe(EXIT.ok);
    expect((await run('domains', 'list')).out).toEqual(['No blocked servers.']);
    const audit = await listAuditLog(testDb.database.primary, { limit: 10 });
    expect(
      audit.filter((e) => e.targetType === 'DomainBlock').map((e) => [e.action, e.moderator]),
    ).toEqual([
      ['destroy_domain_block', null],
      ['update_domain_block', null],
      ['create_domain_block', null],
    ]);
  });

  it('refuses what it cannot do with the right exit codes', async () => {
    expect((await run('domains', 'block', 'x.example', '--severity', 'nuke')).code).toBe(
      EXIT.usage,
    );
    expect((await run('domains', 'block', 'murmur.test')).code).toBe(EXIT.refused);
    expect((await run('domains', 'block', 'not a host')).code).toBe(EXIT.refused);
    const unknown = await run('domains', 'unblock', 'never.example');
    expect(unknown.code).toBe(EXIT.refused);
    expect(unknown.err.join('\n')).toContain('is not blocked');
    expect((await run('domains')).code).toBe(EXIT.usage);
  });
});
