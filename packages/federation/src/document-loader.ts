/**
 * Fedify's document loaders (actors, keys, objects, JSON-LD contexts) over Murmur's safe fetch
 * (`@murmur/outbound`): no private, loopback or link-local destination unless
 * ALLOWED_PRIVATE_ADDRESSES lets it, every redirect re-checked, time and size limited. Fedify's own
 * `allowPrivateAddress` switch stays off: the safe fetch decides, on the address it connects to.
 *
 * The well-known JSON-LD contexts come from Fedify's preloaded copies, never from the network.
 */
import { signRequest } from '@fedify/fedify';
import {
  createActivityPubRequest,
  type DocumentLoader,
  type DocumentLoaderOptions,
  FetchError,
  getRemoteDocument,
  preloadedContexts,
  type RemoteDocument,
} from '@fedify/vocab-runtime';

type Fetch = typeof fetch;

/** Loads documents with `fetch`, each request prepared by `prepare` (e.g. signed). */
function loaderWith(
  safeFetch: Fetch,
  userAgent: string | undefined,
  prepare: (request: Request) => Promise<Request>,
): DocumentLoader {
  async function load(url: string, options?: DocumentLoaderOptions): Promise<RemoteDocument> {
    options?.signal?.throwIfAborted();
    const href = new URL(url).href;
    if (href in preloadedContexts) {
      return { contextUrl: null, document: preloadedContexts[href], documentUrl: href };
    }
    const request = await prepare(
      createActivityPubRequest(href, userAgent === undefined ? {} : { userAgent }),
    );
    const response = await safeFetch(
      request,
      options?.signal === undefined ? {} : { signal: options.signal },
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new FetchError(href, `HTTP ${response.status} for ${href}`);
    }
    return getRemoteDocument(response.url || href, response, load);
  }
  return load;
}

export function safeDocumentLoader(safeFetch: Fetch, userAgent?: string): DocumentLoader {
  return loaderWith(safeFetch, userAgent, async (request) => request);
}

/** Who signs a loader's requests: a key id and its private key. */
export interface SigningIdentity {
  keyId: URL;
  privateKey: Parameters<typeof signRequest>[1];
}

/**
 * A loader whose requests are signed as `identity` (draft-cavage HTTP Signatures, as Mastodon's
 * authorized fetch expects); the identity may be read when the first request is made.
 */
export function signedDocumentLoader(
  safeFetch: Fetch,
  identity: SigningIdentity | (() => Promise<SigningIdentity>),
  userAgent?: string,
): DocumentLoader {
  return loaderWith(safeFetch, userAgent, async (request) => {
    const { keyId, privateKey } = typeof identity === 'function' ? await identity() : identity;
    return signRequest(request, privateKey, keyId, { spec: 'draft-cavage-http-signatures-12' });
  });
}
