import { rotatingAddresses, type RequestSpec } from '../load.js';

/**
 * Anonymous clients come from many addresses through the (trusted, loopback) proxy, as on a real
 * server: one address would meet the per-IP limit (300 per 5 minutes) within a second.
 */
export function anonymous(path: string): RequestSpec {
  const address = rotatingAddresses();
  return { path, vary: () => ({ 'x-forwarded-for': address() }) };
}
