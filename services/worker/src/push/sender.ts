/**
 * Sends one Web Push message: web-push encrypts the payload (RFC 8291 `aes128gcm`, or the legacy
 * `aesgcm` draft for subscriptions that asked for it) and signs the VAPID JWT (RFC 8292); the
 * request goes through `@murmur/outbound`'s safe fetch (SSRF checks, timeout). Retries 429, 5xx and
 * network failures with exponential back-off (or the service's Retry-After) while the message's TTL
 * lasts; 404 and 410 mean the subscription is gone.
 *
 * Bounded: at most `concurrency` requests at once, and at most `perServiceConcurrency` of them to
 * one push service (origin), so a slow or dead service holds a few slots for at most `timeoutMs`
 * each, never all of them. A push waiting for its retry holds no slot.
 */
import { BlockedDestinationError } from '@murmur/outbound';
import webPush from 'web-push';
import { Limiter } from '@murmur/service-kit';

export interface PushMessage {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** true: `aes128gcm`; false: the legacy `aesgcm`. */
  standard: boolean;
  payload: string;
}

export interface PushOutcome {
  status: 'sent' | 'gone' | 'failed';
  attempts: number;
  /** The last answer that was not a success (status code or error), or null. */
  lastError: string | null;
}

export interface PushSenderOptions {
  vapid: { subject: string; publicKey: string; privateKey: string };
  fetch: typeof fetch;
  concurrency: number;
  perServiceConcurrency: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long the push service keeps the message for an offline device (the `TTL` header). */
  ttlSeconds: number;
  sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = (status: number): boolean => status === 429 || status >= 500;

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class PushSender {
  private readonly everyService: Limiter;
  private readonly perService = new Map<string, { limiter: Limiter; users: number }>();
  private readonly sleep: (ms: number) => Promise<void>;
  /** VAPID headers by audience and encoding: an ES256 signature per push service per hour or so. */
  private readonly vapidCache = new Map<
    string,
    { headers: { Authorization: string; 'Crypto-Key'?: string | undefined }; renewAt: number }
  >();

  constructor(private readonly options: PushSenderOptions) {
    this.everyService = new Limiter(options.concurrency);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(message: PushMessage): Promise<PushOutcome> {
    const started = Date.now();
    const ttlMs = this.options.ttlSeconds * 1000;
    let lastError: string | null = null;
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.attempt(message);
      if (answer.kind === 'status' && answer.status >= 200 && answer.status < 300) {
        return { status: 'sent', attempts: attempt, lastError };
      }
      if (answer.kind === 'status' && (answer.status === 404 || answer.status === 410)) {
        return { status: 'gone', attempts: attempt, lastError: `HTTP ${answer.status}` };
      }
      lastError = answer.kind === 'status' ? `HTTP ${answer.status}` : answer.error;
      const retryable = answer.kind === 'status' ? RETRYABLE(answer.status) : answer.retryable;
      if (!retryable || attempt >= this.options.maxAttempts) {
        return { status: 'failed', attempts: attempt, lastError };
      }
      const backoff = Math.min(
        this.options.retryMaxMs,
        this.options.retryBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5),
      );
      const delay = Math.min(
        this.options.retryMaxMs,
        Math.max(backoff, (answer.kind === 'status' ? answer.retryAfterMs : undefined) ?? 0),
      );
      if (Date.now() - started + delay >= ttlMs) {
        return { status: 'failed', attempts: attempt, lastError: `${lastError} (TTL over)` };
      }
      await this.sleep(delay);
    }
  }

  private async attempt(
    message: PushMessage,
  ): Promise<
    | { kind: 'status'; status: number; retryAfterMs: number | undefined }
    | { kind: 'error'; error: string; retryable: boolean }
  > {
    const encoding = message.standard ? 'aes128gcm' : 'aesgcm';
    let request;
    let headers: Record<string, string>;
    try {
      // Encrypted per attempt (a fresh salt and ephemeral key); the VAPID JWT comes from the cache.
      request = webPush.generateRequestDetails(
        { endpoint: message.endpoint, keys: message.keys },
        message.payload,
        { TTL: this.options.ttlSeconds, urgency: 'normal', contentEncoding: encoding },
      );
      headers = { ...(request.headers as Record<string, string>) };
      const vapid = this.vapidHeaders(new URL(message.endpoint).origin, encoding);
      headers.Authorization = vapid.Authorization;
      if (vapid['Crypto-Key'] !== undefined) {
        // aesgcm: the encryption's `dh=` and VAPID's `p256ecdsa=` share the Crypto-Key header.
        headers['Crypto-Key'] = [headers['Crypto-Key'], vapid['Crypto-Key']]
          .filter(Boolean)
          .join(';');
      }
    } catch (error) {
      return {
        kind: 'error',
        error: `cannot encrypt: ${(error as Error).message}`,
        retryable: false,
      };
    }
    const body = new Uint8Array(request.body);
    try {
      const response = await this.atService(new URL(message.endpoint).origin, () =>
        this.options.fetch(request.endpoint, {
          method: request.method,
          headers,
          body,
        }),
      );
      await response.body?.cancel();
      return {
        kind: 'status',
        status: response.status,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      };
    } catch (error) {
      if (error instanceof BlockedDestinationError) {
        return { kind: 'error', error: error.message, retryable: false };
      }
      return { kind: 'error', error: (error as Error).message, retryable: true };
    }
  }

  /** The signed VAPID headers for a push service (JWT valid 12 hours, renewed after 11). */
  private vapidHeaders(
    audience: string,
    encoding: 'aes128gcm' | 'aesgcm',
  ): { Authorization: string; 'Crypto-Key'?: string | undefined } {
    const key = `${encoding} ${audience}`;
    const now = Date.now();
    const cached = this.vapidCache.get(key);
    if (cached && cached.renewAt > now) return cached.headers;
    if (this.vapidCache.size >= 10_000) this.vapidCache.clear();
    const { subject, publicKey, privateKey } = this.options.vapid;
    const expiration = Math.floor(now / 1000) + 12 * 3600;
    const headers = webPush.getVapidHeaders(
      audience,
      subject,
      publicKey,
      privateKey,
      encoding,
      expiration,
    );
    this.vapidCache.set(key, { headers, renewAt: now + 11 * 3600 * 1000 });
    return headers;
  }

  /** Runs a request within the push service's share and the global bound. */
  private async atService<T>(origin: string, task: () => Promise<T>): Promise<T> {
    let entry = this.perService.get(origin);
    if (!entry) {
      entry = { limiter: new Limiter(this.options.perServiceConcurrency), users: 0 };
      this.perService.set(origin, entry);
    }
    entry.users += 1;
    try {
      return await entry.limiter.run(() => this.everyService.run(task));
    } finally {
      entry.users -= 1;
      if (entry.users === 0) this.perService.delete(origin);
    }
  }
}
