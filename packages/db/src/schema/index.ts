export * from './accounts.js';
export * from './statuses.js';
export * from './oauth.js';
export * from './events.js';
export * from './home-feeds.js';
