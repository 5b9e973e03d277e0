/**
 * @murmur/db/streaming: what the streaming API asks per event: who may see it (one statement), which
 * tokens are still valid, and the notification an event created.
 */
export {
  streamingAudience,
  streamingAudiences,
  type AudienceRequest,
  followersAmong,
  followersAmongMany,
  listsReceiving,
  validTokenIds,
  notificationByFact,
  type ConnectedAccounts,
  type StreamingAudience,
  type StreamingViewer,
  type NotificationFact,
} from '../queries/streaming.js';
