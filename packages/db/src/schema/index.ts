export * from './accounts.js';
export * from './statuses.js';
export * from './oauth.js';
export * from './events.js';
export * from './profile-features.js';
export * from './viewer-state.js';
export * from './media.js';
export * from './home-feeds.js';
