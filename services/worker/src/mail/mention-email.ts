/**
 * The "you were mentioned" e-mail. Everything that comes from a post or a profile is data, never
 * markup or headers: the HTML part escapes it (the status through the safe formatter), and the subject
 * is a single-line excerpt, so no newline from a post can start a new header.
 */
import type { MentionContext } from '@murmur/db/notifications';
import { createUnsubscribeToken } from '@murmur/service-kit';
import { profileUrl, statusUrl, tagUrl } from '@murmur/service-kit/public-urls';
import { escapeHtml, excerpt, renderStatusHtml } from '@murmur/text';
import type { OutgoingMail } from './mailer.js';

export interface MentionEmailSettings {
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  mailFrom: string;
  unsubscribeSecret: string;
}

const SUBJECT_CHARACTERS = 90;

function nameOf(account: { username: string; displayName: string }): string {
  const display = excerpt(account.displayName, 60);
  return display || `@${account.username}`;
}

export function composeMentionEmail(
  mention: MentionContext,
  delivery: { messageId: string },
  settings: MentionEmailSettings,
): OutgoingMail {
  const { author, recipient } = mention;
  // A remote author's post is read on its own server, and the author named as `user@host`.
  const postUrl =
    mention.remoteStatusUrl ?? statusUrl(settings.publicUrl, author.username, mention.statusId);
  const handle = author.domain ? `${author.username}@${author.domain}` : author.username;
  const settingsUrl = `${settings.publicUrl}/settings`;
  const unsubscribeUrl = `${settings.publicUrl}/unsubscribe?token=${encodeURIComponent(
    createUnsubscribeToken(settings.unsubscribeSecret, recipient.id),
  )}`;
  // Each name is worked out once: an excerpt segments the text into graphemes, which is not cheap.
  const authorName = nameOf({ ...author, username: handle });
  const recipientName = nameOf(recipient);
  // "Ann (@ann)", or just "@ann" when there is no display name to tell apart from the handle.
  const authorLabel = author.displayName.trim() ? `${authorName} (@${handle})` : authorName;
  const subject = excerpt(`${authorName} mentioned you: ${mention.statusText}`, SUBJECT_CHARACTERS);
  const quoted = mention.statusText
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');

  const text = [
    `Hi ${recipientName},`,
    '',
    `${authorLabel} mentioned you:`,
    '',
    quoted,
    '',
    `View the post: ${postUrl}`,
    '',
    '--',
    `You get this e-mail because someone mentioned you. Notification settings: ${settingsUrl}`,
    `Stop these e-mails: ${unsubscribeUrl}`,
    '',
  ].join('\n');

  const content = renderStatusHtml(mention.statusText, {
    profileUrl: (username) => profileUrl(settings.publicUrl, username),
    tagUrl: (tag) => tagUrl(settings.publicUrl, tag),
  });
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 36rem">
<p>Hi ${escapeHtml(recipientName)},</p>
<p><strong>${escapeHtml(authorLabel)}</strong> mentioned you:</p>
<blockquote style="margin: 0 0 1em; padding: 0.5em 1em; border-left: 3px solid #888">${content}</blockquote>
<p><a href="${escapeHtml(postUrl)}">View the post</a></p>
<hr>
<p style="font-size: 0.85em; color: #555">You get this e-mail because someone mentioned you.
<a href="${escapeHtml(settingsUrl)}">Notification settings</a> ·
<a href="${escapeHtml(unsubscribeUrl)}">Stop these e-mails</a></p>
</body></html>
`;

  return {
    messageId: delivery.messageId,
    from: settings.mailFrom,
    to: { name: recipientName, address: recipient.email },
    subject,
    text,
    html,
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
  };
}
