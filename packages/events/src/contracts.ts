/**
 * The event contracts: what happened in the system, as published on NATS JetStream.
 *
 * Every event travels in the same envelope. The envelope `id` is a UUIDv7 that doubles as the
 * JetStream message id (so the stream drops duplicates within its window) and as the idempotency key
 * consumers record in `processed_events`. Each event type has an explicit schema version; a change
 * that is not backwards compatible gets a new version, and consumers reject versions they do not know.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

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

function envelope<const Name extends string, Data extends TSchema>(type: Name, data: Data) {
  return Type.Object(
    {
      id: Uuid,
      type: Type.Literal(type),
      version: Type.Literal(1),
      occurredAt: Timestamp,
      /** The HTTP request that caused the event, so logs can be followed across services. */
      requestId: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
      data,
    },
    { additionalProperties: false },
  );
}

export const PostCreatedV1 = envelope(
  'PostCreated',
  Type.Object(
    {
      statusId: SnowflakeId,
      accountId: SnowflakeId,
      visibility: Visibility,
      inReplyToId: Type.Union([SnowflakeId, Type.Null()]),
      /** Existing local accounts the post mentions, the author excluded. */
      mentionedAccountIds: Type.Array(SnowflakeId, { maxItems: 500 }),
      /** Normalized hashtag names. */
      hashtags: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500 }),
      createdAt: Timestamp,
    },
    { additionalProperties: false },
  ),
);
export type PostCreated = Static<typeof PostCreatedV1>;

export const UserMentionedV1 = envelope(
  'UserMentioned',
  Type.Object(
    {
      statusId: SnowflakeId,
      /** The author of the post. */
      accountId: SnowflakeId,
      mentionedAccountId: SnowflakeId,
    },
    { additionalProperties: false },
  ),
);
export type UserMentioned = Static<typeof UserMentionedV1>;

/** An upload was stored as received and waits to be processed (the `media` consumer). */
export const MediaUploadedV1 = envelope(
  'MediaUploaded',
  Type.Object(
    {
      mediaId: SnowflakeId,
      /** The uploader. */
      accountId: SnowflakeId,
    },
    { additionalProperties: false },
  ),
);
export type MediaUploaded = Static<typeof MediaUploadedV1>;

/*
 * What a profile shows, changed by its owner: pinned statuses, featured hashtags, endorsed accounts,
 * and followers removed. No consumer acts on them yet; they are the facts a streaming API, a
 * federation sender or a cache of profiles needs, written with the change like every other event.
 */
const AccountAndStatus = Type.Object(
  { accountId: SnowflakeId, statusId: SnowflakeId },
  { additionalProperties: false },
);
const AccountAndTag = Type.Object(
  {
    accountId: SnowflakeId,
    /** Normalized hashtag name. */
    tag: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
const AccountAndTarget = Type.Object(
  { accountId: SnowflakeId, targetAccountId: SnowflakeId },
  { additionalProperties: false },
);

export const StatusPinnedV1 = envelope('StatusPinned', AccountAndStatus);
export type StatusPinned = Static<typeof StatusPinnedV1>;
export const StatusUnpinnedV1 = envelope('StatusUnpinned', AccountAndStatus);
export type StatusUnpinned = Static<typeof StatusUnpinnedV1>;
export const TagFeaturedV1 = envelope('TagFeatured', AccountAndTag);
export type TagFeatured = Static<typeof TagFeaturedV1>;
export const TagUnfeaturedV1 = envelope('TagUnfeatured', AccountAndTag);
export type TagUnfeatured = Static<typeof TagUnfeaturedV1>;
export const AccountEndorsedV1 = envelope('AccountEndorsed', AccountAndTarget);
export type AccountEndorsed = Static<typeof AccountEndorsedV1>;
export const AccountUnendorsedV1 = envelope('AccountUnendorsed', AccountAndTarget);
export type AccountUnendorsed = Static<typeof AccountUnendorsedV1>;
/** `accountId` removed `targetAccountId` from its followers. */
export const FollowerRemovedV1 = envelope('FollowerRemoved', AccountAndTarget);
export type FollowerRemoved = Static<typeof FollowerRemovedV1>;

export type ProfileEvent =
  | StatusPinned
  | StatusUnpinned
  | TagFeatured
  | TagUnfeatured
  | AccountEndorsed
  | AccountUnendorsed
  | FollowerRemoved;

export type DomainEvent = PostCreated | UserMentioned | MediaUploaded | ProfileEvent;
export type EventType = DomainEvent['type'];
export const EVENT_TYPES = [
  'PostCreated',
  'UserMentioned',
  'MediaUploaded',
  'StatusPinned',
  'StatusUnpinned',
  'TagFeatured',
  'TagUnfeatured',
  'AccountEndorsed',
  'AccountUnendorsed',
  'FollowerRemoved',
] as const satisfies readonly EventType[];

const validators = {
  PostCreated: Compile(PostCreatedV1),
  UserMentioned: Compile(UserMentionedV1),
  MediaUploaded: Compile(MediaUploadedV1),
  StatusPinned: Compile(StatusPinnedV1),
  StatusUnpinned: Compile(StatusUnpinnedV1),
  TagFeatured: Compile(TagFeaturedV1),
  TagUnfeatured: Compile(TagUnfeaturedV1),
  AccountEndorsed: Compile(AccountEndorsedV1),
  AccountUnendorsed: Compile(AccountUnendorsedV1),
  FollowerRemoved: Compile(FollowerRemovedV1),
} as const satisfies Record<EventType, unknown>;

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message);
  }
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
  if (typeof type !== 'string' || !(type in validators)) {
    throw new InvalidEventError(`unknown event type ${JSON.stringify(type)}`);
  }
  const validator = validators[type as EventType];
  if (!validator.Check(value)) {
    const problems = validator
      .Errors(value)
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

export { uuidv7 as newEventId } from 'uuidv7';
