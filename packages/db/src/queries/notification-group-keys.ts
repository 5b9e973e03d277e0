/**
 * Mastodon's notification group keys (4.3+), computed from a notification's own columns, so that no
 * column or write path is needed and every reader agrees:
 * - `favourite-<status id>-<hour>` and `reblog-<status id>-<hour>`: one status's favourites (or
 *   reblogs) within a 12-hour window;
 * - `follow-<hour>`: new followers within a 12-hour window;
 * - `ungrouped-<notification id>`: everything else (mentions), and the types a client asks not to
 *   group (`grouped_types[]`).
 * `<hour>` is the window's first hour since the Unix epoch, a multiple of 12: the windows are fixed,
 * where Mastodon chains them from the first notification (a group spans at most 12 hours in both).
 * The time is the one in the notification's snowflake id (milliseconds << 16), so a window is a
 * range of ids, which the `(account_id, id)` index reads directly.
 */
import type { NotificationType } from '../schema/index.js';
import { isSnowflakeId } from '../ids.js';

export const GROUPABLE_NOTIFICATION_TYPES = ['favourite', 'reblog', 'follow'] as const;
export type GroupableNotificationType = (typeof GROUPABLE_NOTIFICATION_TYPES)[number];

export const GROUP_WINDOW_HOURS = 12;
export const GROUP_WINDOW_MS = GROUP_WINDOW_HOURS * 3_600_000;
const SEQUENCE_BITS = 16n;

/** The members of a group, as the key names them. */
export type GroupMembers =
  | { kind: 'single'; notificationId: string }
  | {
      kind: 'grouped';
      type: GroupableNotificationType;
      statusId: string | null;
      /** The ids from `firstId` to `lastId` (inclusive) fall in the key's 12-hour window. */
      firstId: string;
      lastId: string;
    };

/** The first id of the window holding `id`, and its last. */
export function windowOfId(id: string): { firstId: string; lastId: string; hour: number } {
  const ms = BigInt(id) >> SEQUENCE_BITS;
  const start = (ms / BigInt(GROUP_WINDOW_MS)) * BigInt(GROUP_WINDOW_MS);
  return windowFrom(Number(start / 3_600_000n));
}

function windowFrom(hour: number): { firstId: string; lastId: string; hour: number } {
  const start = BigInt(hour) * 3_600_000n;
  const first = start << SEQUENCE_BITS;
  const next = (start + BigInt(GROUP_WINDOW_MS)) << SEQUENCE_BITS;
  return { firstId: first.toString(), lastId: (next - 1n).toString(), hour };
}

/** The types that may be grouped for this request: `grouped_types[]` when given, else all. */
export function groupedTypesFor(
  requested: readonly string[] | undefined,
): GroupableNotificationType[] {
  if (requested === undefined || requested.length === 0) return [...GROUPABLE_NOTIFICATION_TYPES];
  return GROUPABLE_NOTIFICATION_TYPES.filter((type) => requested.includes(type));
}

/** The key of one notification (the same as the SQL in notification-groups.ts computes). */
export function notificationGroupKey(
  notification: { id: string; type: NotificationType; statusId: string | null },
  groupedTypes: readonly string[] = GROUPABLE_NOTIFICATION_TYPES,
): string {
  if (!groupedTypes.includes(notification.type)) return `ungrouped-${notification.id}`;
  const { hour } = windowOfId(notification.id);
  return notification.statusId === null
    ? `${notification.type}-${hour}`
    : `${notification.type}-${notification.statusId}-${hour}`;
}

const UNGROUPED = /^ungrouped-(\d{1,19})$/;
const STATUS_GROUP = /^(favourite|reblog)-(\d{1,19})-(\d{1,9})$/;
const FOLLOW_GROUP = /^follow-(\d{1,9})$/;

/** The members a key names, or null when it is not a key this server makes. */
export function parseGroupKey(key: string): GroupMembers | null {
  const single = UNGROUPED.exec(key);
  if (single)
    return isSnowflakeId(single[1]) ? { kind: 'single', notificationId: single[1]! } : null;
  const status = STATUS_GROUP.exec(key);
  const follow = status ? null : FOLLOW_GROUP.exec(key);
  const type = (status?.[1] ?? (follow ? 'follow' : null)) as GroupableNotificationType | null;
  const statusId = status?.[2] ?? null;
  const hour = Number(status?.[3] ?? follow?.[1]);
  if (type === null || !Number.isSafeInteger(hour) || hour % GROUP_WINDOW_HOURS !== 0) return null;
  if (statusId !== null && !isSnowflakeId(statusId)) return null;
  const { firstId, lastId } = windowFrom(hour);
  return { kind: 'grouped', type, statusId, firstId, lastId };
}
