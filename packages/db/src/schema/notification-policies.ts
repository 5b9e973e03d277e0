/**
 * Notification filtering (Mastodon 4.3's notification policy and requests): what each person wants
 * done with notifications from people they do not know, the requests that hold the filtered ones
 * (one per sender), and the senders they accepted. Only their owner sees them, so they write no
 * events; the notify step reads them when it creates a notification (ARCHITECTURE.md).
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { createdAt, snowflake, snowflakeDefault } from './columns.js';
import { statuses } from './statuses.js';

/** What happens to a notification a policy applies to: kept, set aside in a request, not created. */
export const NOTIFICATION_POLICY_ACTIONS = ['accept', 'filter', 'drop'] as const;
export type NotificationPolicyAction = (typeof NOTIFICATION_POLICY_ACTIONS)[number];

const ACTIONS_SQL = sql.raw(NOTIFICATION_POLICY_ACTIONS.map((a) => `'${a}'`).join(', '));

const policyColumn = (name: string, fallback: NotificationPolicyAction) =>
  text(name).$type<NotificationPolicyAction>().notNull().default(fallback);

/**
 * Mastodon's defaults (a person without a row has them): unsolicited private mentions and
 * accounts limited by a moderator are filtered, everything else accepted.
 */
export const DEFAULT_NOTIFICATION_POLICY = {
  forNotFollowing: 'accept',
  forNotFollowers: 'accept',
  forNewAccounts: 'accept',
  forPrivateMentions: 'filter',
  forLimitedAccounts: 'filter',
} as const satisfies Record<string, NotificationPolicyAction>;

export const notificationPolicies = pgTable(
  'notification_policies',
  {
    accountId: snowflake('account_id')
      .primaryKey()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    forNotFollowing: policyColumn('for_not_following', DEFAULT_NOTIFICATION_POLICY.forNotFollowing),
    forNotFollowers: policyColumn('for_not_followers', DEFAULT_NOTIFICATION_POLICY.forNotFollowers),
    forNewAccounts: policyColumn('for_new_accounts', DEFAULT_NOTIFICATION_POLICY.forNewAccounts),
    forPrivateMentions: policyColumn(
      'for_private_mentions',
      DEFAULT_NOTIFICATION_POLICY.forPrivateMentions,
    ),
    forLimitedAccounts: policyColumn(
      'for_limited_accounts',
      DEFAULT_NOTIFICATION_POLICY.forLimitedAccounts,
    ),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'notification_policies_actions',
      sql`${t.forNotFollowing} in (${ACTIONS_SQL}) and ${t.forNotFollowers} in (${ACTIONS_SQL})
        and ${t.forNewAccounts} in (${ACTIONS_SQL}) and ${t.forPrivateMentions} in (${ACTIONS_SQL})
        and ${t.forLimitedAccounts} in (${ACTIONS_SQL})`,
    ),
  ],
);

/**
 * The filtered notifications one sender caused one recipient, as a request to accept or dismiss.
 * Created (or touched) by the notify step in the statement that inserts a filtered notification;
 * its notifications are the recipient's `filtered` notifications from that sender.
 */
export const notificationRequests = pgTable(
  'notification_requests',
  {
    id: snowflake('id').primaryKey().default(snowflakeDefault),
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    fromAccountId: snowflake('from_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** The status of the newest filtered notification that had one. */
    lastStatusId: snowflake('last_status_id').references(() => statuses.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    unique('notification_requests_pair_key').on(t.accountId, t.fromAccountId),
    index('notification_requests_account_idx').on(t.accountId, t.id.desc()),
  ],
);

/** Senders whose notifications a person accepted (a request accepted): never filtered again. */
export const notificationPermissions = pgTable(
  'notification_permissions',
  {
    accountId: snowflake('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    fromAccountId: snowflake('from_account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.fromAccountId] })],
);
