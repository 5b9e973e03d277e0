import { createSafeFetch } from '@murmur/outbound';
import type { WorkerConfig } from '../config.js';
import { PushSender } from './sender.js';

/** Mastodon keeps a push 48 hours for an offline device. */
export const PUSH_TTL_SECONDS = 48 * 60 * 60;

/** The sender the worker's configuration describes, or null while push is off. */
export function createPushSender(config: WorkerConfig): PushSender | null {
  if (!config.webPush.enabled) return null;
  return new PushSender({
    vapid: {
      subject: config.push.subject,
      publicKey: config.webPush.publicKey,
      privateKey: config.webPush.privateKey,
    },
    fetch: createSafeFetch({
      allowedPrivateAddresses: config.push.allowedPrivateAddresses,
      timeoutMs: config.push.timeoutMs,
      maxResponseBytes: 64 * 1024,
      maxRedirects: 0,
      userAgent: `Murmur (+${config.publicUrl})`,
    }),
    concurrency: config.push.concurrency,
    perServiceConcurrency: Math.max(1, Math.floor(config.push.concurrency / 4)),
    maxAttempts: config.push.maxAttempts,
    retryBaseMs: config.timings.pushRetryBaseMs,
    retryMaxMs: config.timings.pushRetryMaxMs,
    ttlSeconds: PUSH_TTL_SECONDS,
  });
}
