/**
 * Helpers for tests that touch NATS: an isolated topology per test file, the test server URL, cleanup,
 * and valid sample events.
 */
import { randomBytes } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import {
  newEventId,
  type MediaUploaded,
  type EventData,
  type EventOf,
  type EventType,
  type PostCreated,
  type UserMentioned,
} from './contracts.js';
import { isolatedTopology, type EventTopology } from './topology.js';

export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

/** A stream name and subject prefix no other test (or run) uses. */
export function testTopology(): EventTopology {
  return isolatedTopology(randomBytes(6).toString('hex'));
}

/** `TEST_NATS_URL`, or the local default. */
export function testNatsUrl(): string {
  return process.env.TEST_NATS_URL || DEFAULT_TEST_NATS_URL;
}

/** Deletes the topology's stream (and with it its consumers); a missing stream is fine. */
export async function removeTopology(
  jsm: JetStreamManager,
  topology: EventTopology,
): Promise<void> {
  try {
    await jsm.streams.delete(topology.streamName);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return;
    throw err;
  }
}

let snowflake = 1_000_000n;
/** A fresh numeric id string, as the database would assign. */
export function nextTestId(): string {
  snowflake += 1n;
  return snowflake.toString();
}

/** A valid PostCreated event; `data` fields can be overridden. */
export function samplePostCreated(
  data: Partial<PostCreated['data']> = {},
  envelope: Partial<Pick<PostCreated, 'id' | 'requestId' | 'occurredAt'>> = {},
): PostCreated {
  const now = new Date().toISOString();
  return {
    id: envelope.id ?? newEventId(),
    type: 'PostCreated',
    version: 1,
    occurredAt: envelope.occurredAt ?? now,
    requestId: envelope.requestId === undefined ? null : envelope.requestId,
    data: {
      statusId: nextTestId(),
      accountId: nextTestId(),
      visibility: 'public',
      inReplyToId: null,
      mentionedAccountIds: [],
      hashtags: [],
      createdAt: now,
      ...data,
    },
  };
}

/** A valid UserMentioned event; `data` fields can be overridden. */
export function sampleUserMentioned(
  data: Partial<UserMentioned['data']> = {},
  envelope: Partial<Pick<UserMentioned, 'id' | 'requestId' | 'occurredAt'>> = {},
): UserMentioned {
  return {
    id: envelope.id ?? newEventId(),
    type: 'UserMentioned',
    version: 1,
    occurredAt: envelope.occurredAt ?? new Date().toISOString(),
    requestId: envelope.requestId === undefined ? null : envelope.requestId,
    data: {
      statusId: nextTestId(),
      accountId: nextTestId(),
      mentionedAccountId: nextTestId(),
      ...data,
    },
  };
}

/** Valid `data` for each event type, with fresh ids (the defaults of `sampleEvent`). */
const SAMPLE_DATA: { [T in EventType]: () => EventData<T> } = {
  PostCreated: () => samplePostCreated().data,
  UserMentioned: () => sampleUserMentioned().data,
  StatusDeleted: () => ({
    statusId: nextTestId(),
    accountId: nextTestId(),
    visibility: 'public',
    inReplyToId: null,
    reblogIds: [],
  }),
  StatusEdited: () => ({
    statusId: nextTestId(),
    accountId: nextTestId(),
    editedAt: new Date().toISOString(),
  }),
  PollEnded: () => ({ pollId: nextTestId(), statusId: nextTestId(), accountId: nextTestId() }),
  PollVoted: () => ({
    pollId: nextTestId(),
    statusId: nextTestId(),
    statusAccountId: nextTestId(),
    accountId: nextTestId(),
    choices: [0],
  }),
  StatusFavourited: () => ({
    statusId: nextTestId(),
    statusAccountId: nextTestId(),
    accountId: nextTestId(),
  }),
  StatusUnfavourited: () => ({
    statusId: nextTestId(),
    statusAccountId: nextTestId(),
    accountId: nextTestId(),
  }),
  StatusReblogged: () => ({
    statusId: nextTestId(),
    statusAccountId: nextTestId(),
    accountId: nextTestId(),
    reblogId: nextTestId(),
    visibility: 'public',
  }),
  ReblogUndone: () => ({
    statusId: nextTestId(),
    statusAccountId: nextTestId(),
    accountId: nextTestId(),
    reblogId: nextTestId(),
  }),
  AccountFollowed: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  AccountUnfollowed: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  AccountRegistered: () => ({
    accountId: nextTestId(),
    username: 'sample',
    createdAt: new Date().toISOString(),
  }),
  AccountUpdated: () => ({ accountId: nextTestId(), changed: ['displayName'] }),
  SignedIn: () => ({
    accountId: nextTestId(),
    applicationId: nextTestId(),
    via: 'authorization_code',
  }),
  NotificationCreated: () => ({
    accountId: nextTestId(),
    type: 'follow',
    fromAccountId: nextTestId(),
    statusId: null,
    causeEventId: newEventId(),
  }),
  StatusPinned: () => ({ accountId: nextTestId(), statusId: nextTestId() }),
  StatusUnpinned: () => ({ accountId: nextTestId(), statusId: nextTestId() }),
  TagFeatured: () => ({ accountId: nextTestId(), tag: 'sample' }),
  TagUnfeatured: () => ({ accountId: nextTestId(), tag: 'sample' }),
  AccountEndorsed: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  AccountUnendorsed: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  FollowerRemoved: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  AccountBlocked: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  AccountUnblocked: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  AccountMuted: () => ({
    accountId: nextTestId(),
    targetAccountId: nextTestId(),
    notifications: true,
    expiresAt: null,
  }),
  AccountUnmuted: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  MediaUploaded: () => ({ mediaId: nextTestId(), accountId: nextTestId() }),
  AnnouncementPublished: () => ({ announcementId: nextTestId() }),
  AnnouncementWithdrawn: () => ({ announcementId: nextTestId() }),
  AnnouncementReacted: () => ({
    announcementId: nextTestId(),
    accountId: nextTestId(),
    name: '🎉',
  }),
  AnnouncementReactionRemoved: () => ({
    announcementId: nextTestId(),
    accountId: nextTestId(),
    name: '🎉',
  }),
  FollowRequested: () => ({ accountId: nextTestId(), targetAccountId: nextTestId() }),
  FollowRequestClosed: () => ({
    accountId: nextTestId(),
    targetAccountId: nextTestId(),
    outcome: 'rejected',
  }),
  RemoteFollowRepeated: () => ({
    accountId: nextTestId(),
    targetAccountId: nextTestId(),
    followUri: 'https://remote.example/follows/1',
  }),
  RemoteAccountImagesChanged: () => ({ accountId: nextTestId(), avatar: true, header: false }),
  PasswordResetRequested: () => ({ accountId: nextTestId(), tokenId: nextTestId() }),
  EmailConfirmationRequested: () => ({ accountId: nextTestId(), tokenId: nextTestId() }),
  ReportFiled: () => ({
    reportId: nextTestId(),
    accountId: nextTestId(),
    targetAccountId: nextTestId(),
  }),
  AccountSuspended: sampleModeration,
  AccountUnsuspended: sampleModeration,
  AccountSilenced: sampleModeration,
  AccountUnsilenced: sampleModeration,
  AccountSensitized: sampleModeration,
  AccountUnsensitized: sampleModeration,
  AccountDisabled: sampleModeration,
  AccountEnabled: sampleModeration,
  AccountDeleted: () => ({ accountId: nextTestId() }),
  InstanceDomainBlocked: () => ({
    domainBlockId: nextTestId(),
    domain: 'blocked.example',
    moderatorId: null,
    severity: 'suspend' as const,
  }),
  InstanceDomainUnblocked: () => ({
    domainBlockId: nextTestId(),
    domain: 'blocked.example',
    moderatorId: null,
  }),
  RemoteActivityReceived: () => ({
    activityId: `https://remote.example/activities/${nextTestId()}`,
    activityType: 'Follow',
    actorUri: 'https://remote.example/users/sample',
    activity: { type: 'Follow' },
  }),
};

function sampleModeration(): EventData<'AccountSuspended'> {
  return { accountId: nextTestId(), moderatorId: nextTestId(), reportId: null };
}

/** A valid event of any type; `data` fields can be overridden. */
export function sampleEvent<T extends EventType>(
  type: T,
  data: Partial<EventData<T>> = {},
  envelope: { id?: string; requestId?: string | null; occurredAt?: string } = {},
): EventOf<T> {
  return {
    id: envelope.id ?? newEventId(),
    type,
    version: 1,
    occurredAt: envelope.occurredAt ?? new Date().toISOString(),
    requestId: envelope.requestId === undefined ? null : envelope.requestId,
    data: { ...SAMPLE_DATA[type](), ...data },
  } as EventOf<T>;
}

/** A valid MediaUploaded event; `data` fields can be overridden. */
export function sampleMediaUploaded(data: Partial<MediaUploaded['data']> = {}): MediaUploaded {
  return sampleEvent('MediaUploaded', data);
}
