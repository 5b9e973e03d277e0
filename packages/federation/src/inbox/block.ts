/**
 * `Block` of a local account by a remote one: the block is recorded as a local block would be (the
 * follows between the two end both ways; what it hides is read from `blocks`). Its `Undo` lifts it.
 */
import type { Block } from '@fedify/vocab';
import { blockAccount, unblockAccount } from '@murmur/db/safety';
import type { InboxContext } from './context.js';

export async function applyBlock(
  ctx: InboxContext,
  block: Block,
  actorUri: URL,
  undo = false,
): Promise<void> {
  const target = await ctx.localActor(block.objectId);
  if (!target) return;
  const accountId = await ctx.resolver.resolveActor(actorUri);
  if (!accountId) return;
  const action = undo ? unblockAccount : blockAccount;
  await action(ctx.database, { accountId, targetAccountId: target.id });
}
