export { createSafeFetch, ResponseTooLargeError, type SafeFetchOptions } from './safe-fetch.js';
export { BlockedDestinationError, parseAllowedPrivateAddresses } from './addresses.js';
