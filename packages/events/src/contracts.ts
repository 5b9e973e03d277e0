/**
 * The event contracts: what happened in the system, as published on NATS JetStream.
 *
 * Every event travels in the same envelope. The envelope `id` is a UUIDv7 that doubles as the
 * JetStream message id (so the stream drops duplicates within its window) and as the idempotency key
 * consumers record in `processed_events`. Each event type has an explicit schema version; a change
 * that is not backwards compatible gets a new version, and consumers reject versions they do not know.
 *
 * One table (`CONTRACTS`) holds every type: its version, its subject token and the schema of its
 * `data`. A new event is one entry there (and its sample in `testing.ts`): validation, subjects and
 * `createEvent` follow from it.
 */
import Type, { type Static, type TObject, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { uuidv7 } from 'uuidv7';

const SnowflakeId = Type.String({ pattern: '^[0-9]{1,20}$', description: '64-bit id as a string' });
const Uuid = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
});
const Timestamp = Type.String({ format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T' });
const Visibility = Type.Union([
  Type.Literal('public'),
  Type.Literal('unlisted'),
  Type.Literal('private'),
  Type.Literal('direct'),
]);
const NotificationType = Type.Union([
  Type.Literal('mention'),
  Type.Literal('favourite'),
  Type.Literal('reblog'),
  Type.Literal('follow'),
  Type.Literal('follow_request'),
  Type.Literal('admin.report'),
  Type.Literal('update'),
  Type.Literal('poll'),
]);

function data<Properties extends Record<string, TSchema>>(properties: Properties) {
  return Type.Object(properties, { additionalProperties: false });
}

function envelope<const Name extends string, const Version extends number, Data extends TSchema>(
  type: Name,
  version: Version,
  payload: Data,
) {
  return Type.Object(
    {
      id: Uuid,
      type: Type.Literal(type),
      version: Type.Literal(version),
      occurredAt: Timestamp,
      /** The HTTP request that caused the event, so logs can be followed across services. */
      requestId: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
      data: payload,
    },
    { additionalProperties: false },
  );
}

/** A status and who wrote it: the part every status event carries. */
const StatusRef = {
  statusId: SnowflakeId,
  /** The author of the status. */
  statusAccountId: SnowflakeId,
};

export const PostCreatedV1 = envelope(
  'PostCreated',
  1,
  data({
    statusId: SnowflakeId,
    accountId: SnowflakeId,
    visibility: Visibility,
    inReplyToId: Type.Union([SnowflakeId, Type.Null()]),
    /** Existing local accounts the post mentions, the author excluded. */
    mentionedAccountIds: Type.Array(SnowflakeId, { maxItems: 500 }),
    /** Normalized hashtag names. */
    hashtags: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500 }),
    createdAt: Timestamp,
  }),
);

export const UserMentionedV1 = envelope(
  'UserMentioned',
  1,
  data({
    statusId: SnowflakeId,
    /** The author of the post. */
    accountId: SnowflakeId,
    mentionedAccountId: SnowflakeId,
  }),
);

/**
 * The author edited a status (`editedAt` is its new `edited_at`). Consumers read the current text;
 * the accounts it newly mentions also get a UserMentioned each, written with it.
 */
export const StatusEditedV1 = envelope(
  'StatusEdited',
  1,
  data({
    statusId: SnowflakeId,
    accountId: SnowflakeId,
    editedAt: Timestamp,
  }),
);

/** A poll's time ran out; written once, by the worker's job that claims ended polls. */
export const PollEndedV1 = envelope(
  'PollEnded',
  1,
  data({
    pollId: SnowflakeId,
    statusId: SnowflakeId,
    /** The author of the status. */
    accountId: SnowflakeId,
  }),
);

/** `accountId` voted in a poll (choices: indexes into its options). */
export const PollVotedV1 = envelope(
  'PollVoted',
  1,
  data({
    pollId: SnowflakeId,
    ...StatusRef,
    accountId: SnowflakeId,
    choices: Type.Array(Type.Integer({ minimum: 0, maximum: 100 }), { maxItems: 100 }),
  }),
);

/** A status (not a reblog) was deleted by its author; its reblogs went with it. */
export const StatusDeletedV1 = envelope(
  'StatusDeleted',
  1,
  data({
    statusId: SnowflakeId,
    accountId: SnowflakeId,
    visibility: Visibility,
    inReplyToId: Type.Union([SnowflakeId, Type.Null()]),
    /** The reblogs (wrapper statuses) deleted with it. */
    reblogIds: Type.Array(SnowflakeId, { maxItems: 100_000 }),
  }),
);

/** `accountId` favourited the status. */
export const StatusFavouritedV1 = envelope(
  'StatusFavourited',
  1,
  data({ ...StatusRef, accountId: SnowflakeId }),
);

/** `accountId` took its favourite back. */
export const StatusUnfavouritedV1 = envelope(
  'StatusUnfavourited',
  1,
  data({ ...StatusRef, accountId: SnowflakeId }),
);

/** `accountId` reblogged the status; `reblogId` is the wrapper status. */
export const StatusRebloggedV1 = envelope(
  'StatusReblogged',
  1,
  data({ ...StatusRef, accountId: SnowflakeId, reblogId: SnowflakeId, visibility: Visibility }),
);

/** The reblog `reblogId` of the status was removed by the account that made it. */
export const ReblogUndoneV1 = envelope(
  'ReblogUndone',
  1,
  data({ ...StatusRef, accountId: SnowflakeId, reblogId: SnowflakeId }),
);

export const AccountFollowedV1 = envelope(
  'AccountFollowed',
  1,
  data({ accountId: SnowflakeId, targetAccountId: SnowflakeId }),
);

export const AccountUnfollowedV1 = envelope(
  'AccountUnfollowed',
  1,
  data({ accountId: SnowflakeId, targetAccountId: SnowflakeId }),
);

export const AccountRegisteredV1 = envelope(
  'AccountRegistered',
  1,
  data({ accountId: SnowflakeId, username: Type.String({ maxLength: 30 }), createdAt: Timestamp }),
);

/** The public profile changed; `changed` names the fields (consumers read the current values). */
export const AccountUpdatedV1 = envelope(
  'AccountUpdated',
  1,
  data({
    accountId: SnowflakeId,
    changed: Type.Array(Type.String({ maxLength: 50 }), { minItems: 1, maxItems: 20 }),
  }),
);

/** An access token was issued to a person (a sign-in; counted as a login). */
export const SignedInV1 = envelope(
  'SignedIn',
  1,
  data({
    accountId: SnowflakeId,
    applicationId: SnowflakeId,
    via: Type.Union([Type.Literal('authorization_code'), Type.Literal('registration')]),
  }),
);

/**
 * The worker created a notification. The fact key (recipient, type, from, status) identifies it: a
 * unique index in `notifications`, so a reader finds the row (and its id) with one indexed lookup.
 */
export const NotificationCreatedV1 = envelope(
  'NotificationCreated',
  1,
  data({
    /** The recipient. */
    accountId: SnowflakeId,
    type: NotificationType,
    fromAccountId: SnowflakeId,
    statusId: Type.Union([SnowflakeId, Type.Null()]),
    /** The event the notification is about. */
    causeEventId: Uuid,
  }),
);

/** An upload was stored as received and waits to be processed (the `media` consumer). */
export const MediaUploadedV1 = envelope(
  'MediaUploaded',
  1,
  Type.Object(
    {
      mediaId: SnowflakeId,
      /** The uploader. */
      accountId: SnowflakeId,
    },
    { additionalProperties: false },
  ),
);

/*
 * What a profile shows, changed by its owner: pinned statuses, featured hashtags, endorsed accounts,
 * and followers removed. They are the facts a streaming API, a federation sender or a cache of
 * profiles needs, written with the change like every other event.
 */
const AccountAndStatus = data({ accountId: SnowflakeId, statusId: SnowflakeId });
const AccountAndTag = data({
  accountId: SnowflakeId,
  /** Normalized hashtag name. */
  tag: Type.String({ minLength: 1, maxLength: 100 }),
});
const AccountAndTarget = data({ accountId: SnowflakeId, targetAccountId: SnowflakeId });

export const StatusPinnedV1 = envelope('StatusPinned', 1, AccountAndStatus);
export const StatusUnpinnedV1 = envelope('StatusUnpinned', 1, AccountAndStatus);
export const TagFeaturedV1 = envelope('TagFeatured', 1, AccountAndTag);
export const TagUnfeaturedV1 = envelope('TagUnfeatured', 1, AccountAndTag);
export const AccountEndorsedV1 = envelope('AccountEndorsed', 1, AccountAndTarget);
export const AccountUnendorsedV1 = envelope('AccountUnendorsed', 1, AccountAndTarget);
/** `accountId` removed `targetAccountId` from its followers (the follow is gone). */
export const FollowerRemovedV1 = envelope('FollowerRemoved', 1, AccountAndTarget);

/** The operator published an announcement, or took one down (everyone's apps show them). */
const AnnouncementRef = data({ announcementId: SnowflakeId });
export const AnnouncementPublishedV1 = envelope('AnnouncementPublished', 1, AnnouncementRef);
export const AnnouncementWithdrawnV1 = envelope('AnnouncementWithdrawn', 1, AnnouncementRef);
/** Someone added or took back an emoji reaction (its count is visible to everyone). */
const AnnouncementReaction = data({
  announcementId: SnowflakeId,
  accountId: SnowflakeId,
  /** The emoji. */
  name: Type.String({ minLength: 1, maxLength: 64 }),
});
export const AnnouncementReactedV1 = envelope('AnnouncementReacted', 1, AnnouncementReaction);
export const AnnouncementReactionRemovedV1 = envelope(
  'AnnouncementReactionRemoved',
  1,
  AnnouncementReaction,
);

/*
 * Blocks and mutes. What they hide is decided when reading (the query layer and the notify step
 * read `blocks` and `mutes`), so no consumer needs them for correctness; they are the facts a
 * streaming API (drop a connection's view of the account), a cache or federation (a Block activity)
 * needs. A block's removed follows are written as AccountUnfollowed events beside AccountBlocked.
 */
/** `accountId` blocked `targetAccountId`. */
export const AccountBlockedV1 = envelope('AccountBlocked', 1, AccountAndTarget);
export const AccountUnblockedV1 = envelope('AccountUnblocked', 1, AccountAndTarget);
/** `accountId` muted `targetAccountId` (or changed the mute's options); only its owner sees it. */
export const AccountMutedV1 = envelope(
  'AccountMuted',
  1,
  data({
    accountId: SnowflakeId,
    targetAccountId: SnowflakeId,
    /** Their notifications are hidden too. */
    notifications: Type.Boolean(),
    /** When the mute ends by itself; null: never. */
    expiresAt: Type.Union([Timestamp, Type.Null()]),
  }),
);
export const AccountUnmutedV1 = envelope('AccountUnmuted', 1, AccountAndTarget);

/**
 * Follow requests to locked accounts: `accountId` asks to follow `targetAccountId`. A request ends
 * accepted (the follow's AccountFollowed is written with it), rejected, or withdrawn by its author.
 */
export const FollowRequestedV1 = envelope('FollowRequested', 1, AccountAndTarget);
export const FollowRequestClosedV1 = envelope(
  'FollowRequestClosed',
  1,
  data({
    accountId: SnowflakeId,
    targetAccountId: SnowflakeId,
    outcome: Type.Union([
      Type.Literal('authorized'),
      Type.Literal('rejected'),
      Type.Literal('withdrawn'),
    ]),
  }),
);

/**
 * A remote account that already follows the local `targetAccountId` sent a new `Follow`
 * (`followUri`, its id): its server never saw the `Accept` (or forgot the follow), and is owed
 * another, as Mastodon answers. Nothing changes here; the follow stays as it is.
 */
export const RemoteFollowRepeatedV1 = envelope(
  'RemoteFollowRepeated',
  1,
  data({
    accountId: SnowflakeId,
    targetAccountId: SnowflakeId,
    followUri: Type.String({ minLength: 1, maxLength: 2048 }),
  }),
);

/**
 * A remote account's avatar or header (their URLs on its server) is new, changed, or not cached
 * yet (`avatar`, `header`: which): the worker fetches and caches them, so readers load them from
 * here, not from that server.
 */
export const RemoteAccountImagesChangedV1 = envelope(
  'RemoteAccountImagesChanged',
  1,
  data({ accountId: SnowflakeId, avatar: Type.Boolean(), header: Type.Boolean() }),
);

/**
 * An e-mail with a single-use link is owed to `accountId`: the worker makes the token, stores its
 * hash on the `account_tokens` row `tokenId` and sends the link. No secret travels in the event.
 */
const AccountTokenRef = data({ accountId: SnowflakeId, tokenId: SnowflakeId });
export const PasswordResetRequestedV1 = envelope('PasswordResetRequested', 1, AccountTokenRef);
export const EmailConfirmationRequestedV1 = envelope(
  'EmailConfirmationRequested',
  1,
  AccountTokenRef,
);

/** A person reported an account (and maybe some of its statuses) to the moderators. */
export const ReportFiledV1 = envelope(
  'ReportFiled',
  1,
  data({
    reportId: SnowflakeId,
    /** Who filed it. */
    accountId: SnowflakeId,
    targetAccountId: SnowflakeId,
  }),
);

/**
 * A moderator (null: the operator's command line) changed what an account may do or how it is
 * shown. Consumers read the account's current state before acting.
 */
const AccountModeration = data({
  accountId: SnowflakeId,
  moderatorId: Type.Union([SnowflakeId, Type.Null()]),
  reportId: Type.Union([SnowflakeId, Type.Null()]),
});
export const AccountSuspendedV1 = envelope('AccountSuspended', 1, AccountModeration);
export const AccountUnsuspendedV1 = envelope('AccountUnsuspended', 1, AccountModeration);
export const AccountSilencedV1 = envelope('AccountSilenced', 1, AccountModeration);
export const AccountUnsilencedV1 = envelope('AccountUnsilenced', 1, AccountModeration);
export const AccountSensitizedV1 = envelope('AccountSensitized', 1, AccountModeration);
export const AccountUnsensitizedV1 = envelope('AccountUnsensitized', 1, AccountModeration);
export const AccountDisabledV1 = envelope('AccountDisabled', 1, AccountModeration);
export const AccountEnabledV1 = envelope('AccountEnabled', 1, AccountModeration);

/**
 * A person deleted their own account: it is suspended for good and emptied; consumers purge its
 * statuses and media and tell other servers (`Delete` of the actor).
 */
export const AccountDeletedV1 = envelope('AccountDeleted', 1, data({ accountId: SnowflakeId }));

/**
 * The moderators blocked another server for everyone, or changed how (`silence`, `suspend` or
 * `noop`, with its options); the operation has already applied it to the server's accounts and
 * follows. Consumers read the block's current state before acting.
 */
const InstanceDomainBlock = data({
  domainBlockId: SnowflakeId,
  domain: Type.String({ minLength: 1, maxLength: 253 }),
  moderatorId: Type.Union([SnowflakeId, Type.Null()]),
});
export const InstanceDomainBlockedV1 = envelope(
  'InstanceDomainBlocked',
  1,
  data({
    ...InstanceDomainBlock.properties,
    severity: Type.Union([Type.Literal('silence'), Type.Literal('suspend'), Type.Literal('noop')]),
  }),
);
/** The moderators lifted an instance domain block: what it set on the server's accounts is undone. */
export const InstanceDomainUnblockedV1 = envelope(
  'InstanceDomainUnblocked',
  1,
  InstanceDomainBlock,
);

/**
 * An activity another server delivered to an inbox, its HTTP Signature verified (the signing key
 * belongs to `actorUri`): recorded once per activity id, applied by the worker. `activity` is the
 * JSON-LD as Fedify read it (at most the inbox's 1 MiB).
 */
export const RemoteActivityReceivedV1 = envelope(
  'RemoteActivityReceived',
  1,
  data({
    activityId: Type.String({ minLength: 1, maxLength: 2048 }),
    activityType: Type.String({ minLength: 1, maxLength: 100 }),
    actorUri: Type.String({ minLength: 1, maxLength: 2048 }),
    activity: Type.Record(Type.String(), Type.Unknown()),
  }),
);

/**
 * Every event type, its subject token (under the topology's prefix) and its schema. Adding an event
 * means adding a line here; subjects, validation and `createEvent` follow.
 */
export const CONTRACTS = {
  PostCreated: { subject: 'post.created.v1', schema: PostCreatedV1 },
  UserMentioned: { subject: 'user.mentioned.v1', schema: UserMentionedV1 },
  StatusDeleted: { subject: 'status.deleted.v1', schema: StatusDeletedV1 },
  StatusEdited: { subject: 'status.edited.v1', schema: StatusEditedV1 },
  PollEnded: { subject: 'poll.ended.v1', schema: PollEndedV1 },
  PollVoted: { subject: 'poll.voted.v1', schema: PollVotedV1 },
  StatusFavourited: { subject: 'status.favourited.v1', schema: StatusFavouritedV1 },
  StatusUnfavourited: { subject: 'status.unfavourited.v1', schema: StatusUnfavouritedV1 },
  StatusReblogged: { subject: 'status.reblogged.v1', schema: StatusRebloggedV1 },
  ReblogUndone: { subject: 'status.reblog_undone.v1', schema: ReblogUndoneV1 },
  AccountFollowed: { subject: 'account.followed.v1', schema: AccountFollowedV1 },
  AccountUnfollowed: { subject: 'account.unfollowed.v1', schema: AccountUnfollowedV1 },
  AccountRegistered: { subject: 'account.registered.v1', schema: AccountRegisteredV1 },
  AccountUpdated: { subject: 'account.updated.v1', schema: AccountUpdatedV1 },
  SignedIn: { subject: 'account.signed_in.v1', schema: SignedInV1 },
  NotificationCreated: { subject: 'notification.created.v1', schema: NotificationCreatedV1 },
  StatusPinned: { subject: 'status.pinned.v1', schema: StatusPinnedV1 },
  StatusUnpinned: { subject: 'status.unpinned.v1', schema: StatusUnpinnedV1 },
  TagFeatured: { subject: 'tag.featured.v1', schema: TagFeaturedV1 },
  TagUnfeatured: { subject: 'tag.unfeatured.v1', schema: TagUnfeaturedV1 },
  AccountEndorsed: { subject: 'account.endorsed.v1', schema: AccountEndorsedV1 },
  AccountUnendorsed: { subject: 'account.unendorsed.v1', schema: AccountUnendorsedV1 },
  FollowerRemoved: { subject: 'follower.removed.v1', schema: FollowerRemovedV1 },
  AccountBlocked: { subject: 'account.blocked.v1', schema: AccountBlockedV1 },
  AccountUnblocked: { subject: 'account.unblocked.v1', schema: AccountUnblockedV1 },
  AccountMuted: { subject: 'account.muted.v1', schema: AccountMutedV1 },
  AccountUnmuted: { subject: 'account.unmuted.v1', schema: AccountUnmutedV1 },
  RemoteActivityReceived: {
    subject: 'federation.activity_received.v1',
    schema: RemoteActivityReceivedV1,
  },
  MediaUploaded: { subject: 'media.uploaded.v1', schema: MediaUploadedV1 },
  AnnouncementPublished: { subject: 'announcement.published.v1', schema: AnnouncementPublishedV1 },
  AnnouncementWithdrawn: { subject: 'announcement.withdrawn.v1', schema: AnnouncementWithdrawnV1 },
  AnnouncementReacted: { subject: 'announcement.reacted.v1', schema: AnnouncementReactedV1 },
  AnnouncementReactionRemoved: {
    subject: 'announcement.reaction_removed.v1',
    schema: AnnouncementReactionRemovedV1,
  },
  FollowRequested: { subject: 'follow_request.created.v1', schema: FollowRequestedV1 },
  FollowRequestClosed: { subject: 'follow_request.closed.v1', schema: FollowRequestClosedV1 },
  RemoteFollowRepeated: {
    subject: 'federation.follow_repeated.v1',
    schema: RemoteFollowRepeatedV1,
  },
  RemoteAccountImagesChanged: {
    subject: 'federation.account_images_changed.v1',
    schema: RemoteAccountImagesChangedV1,
  },
  PasswordResetRequested: {
    subject: 'account.password_reset_requested.v1',
    schema: PasswordResetRequestedV1,
  },
  EmailConfirmationRequested: {
    subject: 'account.email_confirmation_requested.v1',
    schema: EmailConfirmationRequestedV1,
  },
  ReportFiled: { subject: 'report.filed.v1', schema: ReportFiledV1 },
  AccountSuspended: { subject: 'account.suspended.v1', schema: AccountSuspendedV1 },
  AccountUnsuspended: { subject: 'account.unsuspended.v1', schema: AccountUnsuspendedV1 },
  AccountSilenced: { subject: 'account.silenced.v1', schema: AccountSilencedV1 },
  AccountUnsilenced: { subject: 'account.unsilenced.v1', schema: AccountUnsilencedV1 },
  AccountSensitized: { subject: 'account.sensitized.v1', schema: AccountSensitizedV1 },
  AccountUnsensitized: { subject: 'account.unsensitized.v1', schema: AccountUnsensitizedV1 },
  AccountDisabled: { subject: 'account.disabled.v1', schema: AccountDisabledV1 },
  AccountEnabled: { subject: 'account.enabled.v1', schema: AccountEnabledV1 },
  AccountDeleted: { subject: 'account.deleted.v1', schema: AccountDeletedV1 },
  InstanceDomainBlocked: { subject: 'instance.domain_blocked.v1', schema: InstanceDomainBlockedV1 },
  InstanceDomainUnblocked: {
    subject: 'instance.domain_unblocked.v1',
    schema: InstanceDomainUnblockedV1,
  },
} as const satisfies Record<string, { subject: string; schema: TObject }>;

type Contracts = typeof CONTRACTS;
export type EventType = keyof Contracts;
/** The event of one type, e.g. `EventOf<'StatusFavourited'>`. */
export type EventOf<T extends EventType> = Static<Contracts[T]['schema']>;
export type DomainEvent = { [T in EventType]: EventOf<T> }[EventType];
/** What an event of type `T` carries. */
export type EventData<T extends EventType> = EventOf<T>['data'];

export type PostCreated = EventOf<'PostCreated'>;
export type UserMentioned = EventOf<'UserMentioned'>;
export type MediaUploaded = EventOf<'MediaUploaded'>;
export type StatusDeleted = EventOf<'StatusDeleted'>;
export type StatusEdited = EventOf<'StatusEdited'>;
export type PollEnded = EventOf<'PollEnded'>;
export type PollVoted = EventOf<'PollVoted'>;
export type StatusFavourited = EventOf<'StatusFavourited'>;
export type StatusUnfavourited = EventOf<'StatusUnfavourited'>;
export type StatusReblogged = EventOf<'StatusReblogged'>;
export type ReblogUndone = EventOf<'ReblogUndone'>;
export type AccountFollowed = EventOf<'AccountFollowed'>;
export type AccountUnfollowed = EventOf<'AccountUnfollowed'>;
export type AccountRegistered = EventOf<'AccountRegistered'>;
export type AccountUpdated = EventOf<'AccountUpdated'>;
export type SignedIn = EventOf<'SignedIn'>;
export type NotificationCreated = EventOf<'NotificationCreated'>;
export type StatusPinned = EventOf<'StatusPinned'>;
export type StatusUnpinned = EventOf<'StatusUnpinned'>;
export type TagFeatured = EventOf<'TagFeatured'>;
export type TagUnfeatured = EventOf<'TagUnfeatured'>;
export type AccountEndorsed = EventOf<'AccountEndorsed'>;
export type AccountUnendorsed = EventOf<'AccountUnendorsed'>;
export type FollowerRemoved = EventOf<'FollowerRemoved'>;
export type AccountBlocked = EventOf<'AccountBlocked'>;
export type AccountUnblocked = EventOf<'AccountUnblocked'>;
export type AccountMuted = EventOf<'AccountMuted'>;
export type AccountUnmuted = EventOf<'AccountUnmuted'>;
export type FollowRequested = EventOf<'FollowRequested'>;
export type FollowRequestClosed = EventOf<'FollowRequestClosed'>;
export type RemoteFollowRepeated = EventOf<'RemoteFollowRepeated'>;
export type PasswordResetRequested = EventOf<'PasswordResetRequested'>;
export type EmailConfirmationRequested = EventOf<'EmailConfirmationRequested'>;
export type ReportFiled = EventOf<'ReportFiled'>;
export type RemoteActivityReceived = EventOf<'RemoteActivityReceived'>;
export type ProfileEvent =
  | StatusPinned
  | StatusUnpinned
  | TagFeatured
  | TagUnfeatured
  | AccountEndorsed
  | AccountUnendorsed
  | FollowerRemoved;

export const EVENT_TYPES = Object.keys(CONTRACTS) as EventType[];

const validators = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, Compile(CONTRACTS[type].schema)]),
) as unknown as {
  [T in EventType]: {
    Check(v: unknown): boolean;
    Errors(v: unknown): Iterable<{ instancePath: string; message: string }>;
  };
};

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message);
  }
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(CONTRACTS, value);
}

/**
 * Validates an unknown value as an event of a known type and version. Throws InvalidEventError,
 * which consumers treat as permanent (the message is terminated and dead-lettered).
 */
export function parseEvent(value: unknown): DomainEvent {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidEventError('event is not an object');
  }
  const type = (value as { type?: unknown }).type;
  if (!isEventType(type)) {
    throw new InvalidEventError(`unknown event type ${JSON.stringify(type)}`);
  }
  const validator = validators[type];
  if (!validator.Check(value)) {
    const problems = [...validator.Errors(value)]
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new InvalidEventError(`invalid ${type} event`, problems);
  }
  return value as DomainEvent;
}

/** Decodes and validates a message body (UTF-8 JSON). */
export function decodeEvent(body: Uint8Array | string): DomainEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    throw new InvalidEventError('event body is not valid JSON');
  }
  return parseEvent(parsed);
}

export const newEventId: () => string = uuidv7;

/**
 * A new event of `type` at the current version, validated (throws InvalidEventError): the one way
 * operations make events, so an invalid one is refused before it reaches the outbox.
 */
export function createEvent<T extends EventType>(
  type: T,
  payload: EventData<T>,
  requestId: string | null,
  occurredAt: Date = new Date(),
): EventOf<T> {
  const event = {
    id: newEventId(),
    type,
    version: CONTRACTS[type].schema.properties.version.const,
    occurredAt: occurredAt.toISOString(),
    requestId: requestId === null ? null : requestId.slice(0, 200),
    data: payload,
  };
  return parseEvent(event) as EventOf<T>;
}
