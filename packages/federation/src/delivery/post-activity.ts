/**
 * One delivery attempt: the activity's JSON signed with the sender's RSA key (HTTP Signatures,
 * draft-cavage with a `Digest`, what Mastodon verifies) and POSTed to the inbox through the safe
 * fetch (`@murmur/outbound`: SSRF checks, time and size limits). The answer is classified for the
 * ledger: accepted, refused for good, or worth another try later.
 */
import { signRequest } from '@fedify/fedify';
import { BlockedDestinationError } from '@murmur/outbound';

export type SigningKey = Parameters<typeof signRequest>[1];

export interface SigningIdentity {
  keyId: URL;
  privateKey: SigningKey;
}

export type AttemptResult =
  /** 2xx: the inbox took it. */
  | { kind: 'delivered'; status: number }
  /** Not worth retrying: 4xx other than 408/429 (410: the actor is gone), or a refused address. */
  | { kind: 'refused'; error: string }
  /** 5xx, 408, 429, a network error or a timeout: the server may take it later. */
  | { kind: 'transient'; error: string };

const RETRYABLE_4XX = new Set([408, 425, 429]);

export const ACTIVITY_CONTENT_TYPE = 'application/activity+json';

export async function postActivity(
  fetch: typeof globalThis.fetch,
  identity: SigningIdentity,
  inboxUrl: string,
  body: string,
): Promise<AttemptResult> {
  let response: Response;
  try {
    const request = await signRequest(
      new Request(inboxUrl, {
        method: 'POST',
        headers: { 'content-type': ACTIVITY_CONTENT_TYPE, accept: ACTIVITY_CONTENT_TYPE },
        body,
      }),
      identity.privateKey,
      identity.keyId,
      { spec: 'draft-cavage-http-signatures-12' },
    );
    response = await fetch(request);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof BlockedDestinationError) return { kind: 'refused', error: message };
    return { kind: 'transient', error: message };
  }
  await response.body?.cancel().catch(() => {});
  if (response.status >= 200 && response.status < 300) {
    return { kind: 'delivered', status: response.status };
  }
  const error = `HTTP ${response.status}`;
  if (response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status)) {
    return { kind: 'refused', error };
  }
  return { kind: 'transient', error };
}
