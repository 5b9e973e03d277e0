/**
 * Mastodon's Web Push payload (`Web::NotificationSerializer`): what the app shows while it is closed.
 * The title is the e-mail subject Mastodon would write, the body the post's content warning or text
 * (the sender's bio when there is no post: a follow) cut to 140 characters. `notification_id` is a JSON number, as Mastodon writes it, spelled out
 * exactly (64-bit ids do not fit a JavaScript number, so the JSON is assembled around it).
 */
import type { WebPushNotification } from '@murmur/db/notifications';
import { excerpt } from '@murmur/text';

const TITLES: Record<string, (name: string) => string> = {
  mention: (name) => `You were mentioned by ${name}`,
  status: (name) => `${name} just posted`,
  reblog: (name) => `${name} boosted your post`,
  follow: (name) => `${name} is now following you`,
  follow_request: (name) => `${name} has requested to follow you`,
  favourite: (name) => `${name} favorited your post`,
  poll: (name) => `A poll by ${name} has ended`,
  update: (name) => `${name} edited a post`,
};

const BODY_LENGTH = 140;

export interface PayloadContext {
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  accessToken: string;
  preferredLocale: string;
}

export function pushIconUrl(publicUrl: string, avatarKey: string | null): string {
  return avatarKey === null
    ? `${publicUrl}/avatars/original/missing.png`
    : `${publicUrl}/media/${avatarKey}`;
}

export function pushPayload(notification: WebPushNotification, context: PayloadContext): string {
  const name = notification.from.displayName.trim() || notification.from.username;
  const title = (TITLES[notification.type] ?? ((who: string) => `New notification from ${who}`))(
    name,
  );
  const text = notification.status
    ? notification.status.spoilerText.trim() || notification.status.text
    : notification.from.note;
  const fields = JSON.stringify({
    access_token: context.accessToken,
    preferred_locale: context.preferredLocale,
    notification_type: notification.type,
    icon: pushIconUrl(context.publicUrl, notification.from.avatarKey),
    title,
    body: excerpt(text, BODY_LENGTH),
  });
  if (!/^\d{1,20}$/.test(notification.id)) throw new Error('notification ids are integers');
  return `{"notification_id":${notification.id},${fields.slice(1)}`;
}
