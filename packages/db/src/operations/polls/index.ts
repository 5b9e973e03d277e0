/** Polls: their rules, voting, and their end (the worker's job). */
export { POLL_LIMITS, validatePoll, type PollInput, type ValidPoll } from './rules.js';
export { voteInPoll, type VoteInput } from './vote.js';
export { endDuePolls } from './end.js';
