export {
  PostCreatedV1,
  UserMentionedV1,
  MediaUploadedV1,
  EVENT_TYPES,
  InvalidEventError,
  parseEvent,
  decodeEvent,
  newEventId,
  type PostCreated,
  type UserMentioned,
  type MediaUploaded,
  type DomainEvent,
  type EventType,
} from './contracts.js';
export {
  DEFAULT_TOPOLOGY,
  subjectFor,
  streamSubjects,
  isolatedTopology,
  type EventTopology,
} from './topology.js';
