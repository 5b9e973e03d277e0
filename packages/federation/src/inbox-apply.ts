/**
 * Applies a recorded incoming activity (`RemoteActivityReceived`): what the worker's
 * `federation-inbox` consumer runs. One file per activity under `inbox/`; this only reads the
 * activity and hands it to its handler. Every handler is idempotent (an event is delivered at least
 * once) and throws only on a failure worth retrying (another server down), never on bad input.
 */
import {
  Accept,
  Activity,
  Announce,
  Block,
  Create,
  Delete,
  Follow,
  Like,
  Reject,
  Undo,
  Update,
} from '@fedify/vocab';
import { applyAnnounce } from './inbox/announce.js';
import { applyBlock } from './inbox/block.js';
import { createInboxContext, type InboxApplierOptions } from './inbox/context.js';
import { applyCreate } from './inbox/create.js';
import { applyDelete } from './inbox/delete.js';
import { applyFollow } from './inbox/follow.js';
import { applyFollowAnswer } from './inbox/follow-answer.js';
import { applyLike } from './inbox/like.js';
import { applyUndo } from './inbox/undo.js';
import { applyUpdate } from './inbox/update.js';

export type { InboxApplierOptions } from './inbox/context.js';

export interface RecordedActivity {
  activityId: string;
  actorUri: string;
  activity: Record<string, unknown>;
}

export type InboxApplier = (recorded: RecordedActivity) => Promise<void>;

export function createInboxApplier(options: InboxApplierOptions): InboxApplier {
  const ctx = createInboxContext(options);
  return async (recorded) => {
    let activity: Activity;
    try {
      activity = await Activity.fromJsonLd(recorded.activity, ctx.loaders());
    } catch {
      return; // Malformed: nothing to apply, and retrying will not help.
    }
    const actorUri = activity.actorId;
    // The inbox verified that the signer is this actor; a mismatch here is not ours to apply.
    if (!actorUri || actorUri.href !== recorded.actorUri) return;
    if (activity instanceof Follow) await applyFollow(ctx, activity, actorUri);
    else if (activity instanceof Undo) await applyUndo(ctx, activity, actorUri);
    else if (activity instanceof Create) {
      await applyCreate(ctx, activity, actorUri, recorded.activity);
    } else if (activity instanceof Update) await applyUpdate(ctx, activity, actorUri);
    else if (activity instanceof Delete) await applyDelete(ctx, activity, actorUri);
    else if (activity instanceof Like) await applyLike(ctx, activity, actorUri);
    else if (activity instanceof Announce) await applyAnnounce(ctx, activity, actorUri);
    else if (activity instanceof Block) await applyBlock(ctx, activity, actorUri);
    else if (activity instanceof Accept || activity instanceof Reject) {
      await applyFollowAnswer(ctx, activity, actorUri);
    }
  };
}
