/**
 * Before a local status is written: the remote accounts its text mentions (`@user@host`) are looked
 * up, so that the write finds them and they become `Mention` tags, recipients and links. Known
 * accounts come from the database; unknown (or stale) ones through WebFinger and their actor
 * document, with the safe fetch. Bounded, so a post never waits on slow or hostile servers for
 * long: at most `maxHandles` handles per post, and at most `timeMs` in all; a handle not resolved
 * by then stays text (its lookup may finish in the background and serve the next post).
 */
import { tokenize } from '@murmur/text';
import type { RemoteAccountResolver } from '../remote-accounts.js';

export interface MentionResolutionLimits {
  /** Distinct remote handles looked up per post, at most (the rest stay text). */
  maxHandles: number;
  /** How long a post waits for the lookups, at most (milliseconds). */
  timeMs: number;
}

export const MENTION_RESOLUTION_LIMITS: MentionResolutionLimits = { maxHandles: 10, timeMs: 5_000 };

/** The distinct remote handles (`user@host`, lower-cased) a text mentions, in order. */
export function remoteHandlesOf(text: string, localHost: string): string[] {
  const handles = new Set<string>();
  for (const token of tokenize(text)) {
    if (token.kind !== 'mention' || token.domain === undefined) continue;
    const domain = token.domain.toLowerCase();
    if (domain === localHost.toLowerCase()) continue;
    handles.add(`${token.username.toLowerCase()}@${domain}`);
  }
  return [...handles];
}

export async function resolveMentionedAccounts(
  resolver: RemoteAccountResolver,
  text: string,
  localHost: string,
  limits: MentionResolutionLimits = MENTION_RESOLUTION_LIMITS,
): Promise<void> {
  const handles = remoteHandlesOf(text, localHost).slice(0, limits.maxHandles);
  if (handles.length === 0) return;
  // A failed lookup leaves its mention as text, as an unknown one: posting goes on.
  const lookups = Promise.allSettled(handles.map((handle) => resolver.resolveHandle(handle)));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limits.timeMs);
  });
  try {
    await Promise.race([lookups, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
