/** The announcements apps show: those not ended yet, oldest first, with reactions and read marks. */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';

export interface AnnouncementView {
  id: string;
  text: string;
  startsAt: Date | null;
  endsAt: Date | null;
  allDay: boolean;
  publishedAt: Date;
  updatedAt: Date;
  /** Whether the viewer marked it read; null without a viewer. */
  read: boolean | null;
  /** The local accounts its text mentions (resolved when it was published). */
  mentions: { id: string; username: string }[];
  /** Per emoji: how many reacted, and whether the viewer did (most used first). */
  reactions: { name: string; count: number; me: boolean }[];
}

/** Every announcement that has not ended, in the order apps list them. One statement. */
export async function activeAnnouncements(
  executor: Executor,
  viewerId: string | null,
): Promise<AnnouncementView[]> {
  const viewer = viewerId ?? '0';
  const rows = await queryRows<
    Omit<AnnouncementView, 'startsAt' | 'endsAt' | 'publishedAt' | 'updatedAt'> & {
      startsAt: string | null;
      endsAt: string | null;
      publishedAt: string;
      updatedAt: string;
    }
  >(
    executor,
    sql`select an.id::text as id, an.text, an.starts_at as "startsAt", an.ends_at as "endsAt",
      an.all_day as "allDay", an.published_at as "publishedAt", an.updated_at as "updatedAt",
      case when ${viewerId === null} then null else exists (select 1 from announcement_dismissals d
        where d.announcement_id = an.id and d.account_id = ${viewer}) end as read,
      coalesce((select json_agg(json_build_object('id', a.id::text, 'username', a.username) order by a.username)
        from accounts a where a.id = any(an.mentioned_account_ids)), '[]') as mentions,
      coalesce((select json_agg(json_build_object('name', r.name, 'count', r.count, 'me', r.me)
          order by r.count desc, r.first)
        from (select name, count(*)::int as count, bool_or(account_id = ${viewer}) as me,
            min(created_at) as first
          from announcement_reactions where announcement_id = an.id group by name) r), '[]') as reactions
    from announcements an
    where an.published_at <= now() and (an.ends_at is null or an.ends_at > now())
    order by coalesce(an.starts_at, an.published_at), an.id`,
  );
  return rows.map((row) => ({
    ...row,
    startsAt: row.startsAt === null ? null : new Date(row.startsAt),
    endsAt: row.endsAt === null ? null : new Date(row.endsAt),
    publishedAt: new Date(row.publishedAt),
    updatedAt: new Date(row.updatedAt),
  }));
}
