/**
 * @murmur/db/conversations: direct-message conversations: the worker's step that records them,
 * reading them, marking them read and removing them.
 */
export { recordDirectMessageOnce } from '../operations/conversations/record-direct-message.js';
export { markConversationRead } from '../operations/conversations/mark-conversation-read.js';
export { removeConversation } from '../operations/conversations/remove-conversation.js';
export {
  conversationsOf,
  findConversation,
  type ConversationView,
} from '../queries/conversations.js';
