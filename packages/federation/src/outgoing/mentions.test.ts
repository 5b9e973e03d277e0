import { describe, expect, it } from 'vitest';
import type { RemoteAccountResolver } from '../remote-accounts.js';
import { remoteHandlesOf, resolveMentionedAccounts } from './mentions.js';

/** A resolver whose lookups never answer (a server that holds the connection), recording handles. */
function stalledResolver(): RemoteAccountResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolveHandle: (handle) => {
      asked.push(handle);
      return new Promise<string | null>(() => {});
    },
    resolveActor: () => Promise.resolve(null),
    storeActor: () => Promise.resolve(null),
  };
}

describe('resolveMentionedAccounts', () => {
  it('looks up each remote handle once, not local ones nor our own host', () => {
    expect(
      remoteHandlesOf(
        '@bob @Zoe@Remote.example @zoe@remote.example @me@murmur.test',
        'murmur.test',
      ),
    ).toEqual(['zoe@remote.example']);
  });

  it('gives up after its time limit when servers do not answer', async () => {
    const resolver = stalledResolver();
    await resolveMentionedAccounts(resolver, 'hi @zoe@slow.example', 'murmur.test', {
      maxHandles: 10,
      timeMs: 50,
    });
    // Returned although the lookup never ends (without the limit, this test never finishes).
    expect(resolver.asked).toEqual(['zoe@slow.example']);
  });

  it('looks up at most maxHandles handles of a post', async () => {
    const resolver = stalledResolver();
    const text = Array.from({ length: 30 }, (_, i) => `@u${i}@host${i}.example`).join(' ');
    await resolveMentionedAccounts(resolver, text, 'murmur.test', { maxHandles: 3, timeMs: 10 });
    expect(resolver.asked).toEqual(['u0@host0.example', 'u1@host1.example', 'u2@host2.example']);
  });
});
