/**
 * What clients read about the server before anything else: `/api/v1/instance` (Elk, masto.js v5),
 * `/api/v2/instance` (Ivory, Tusky), activity, rules, peers and custom emojis, all public.
 */
import { MAX_FEATURED_TAGS } from '@murmur/db/tags';
import { MAX_MEDIA_DESCRIPTION_LENGTH, MAX_MEDIA_PER_STATUS } from '@murmur/db/media';
import { MAX_PINNED_STATUSES, POLL_LIMITS } from '@murmur/db/statuses';
import { DomainError } from '@murmur/db';
import { knownPeerDomains } from '@murmur/db/federation';
import { listInstanceRules, listPublicInstanceDomainBlocks } from '@murmur/db/moderation';
import { readDailyStatistics, readInstanceCounts } from '@murmur/db/statistics';
import { MEDIA_LIMITS, SUPPORTED_IMAGE_TYPES } from '@murmur/media';
import { URL_LENGTH } from '@murmur/text';
import Type from 'typebox';
import { activityRange, weeklyActivity } from '../../../entities/activity.js';
import { serializePublicDomainBlock } from '../../../entities/index.js';
import { ERRORS } from '../_shared.js';
import {
  ActivityWeek,
  CustomEmoji,
  DomainBlock,
  InstanceV1,
  InstanceV2,
  Rule,
} from '../../../schemas/entities.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { INSTANCE_THUMBNAIL_PNG } from '../png.js';

export const MASTODON_VERSION = '4.3.0 (compatible; Murmur 0.1.0)';
export const SOURCE_URL = 'https://github.com/murmur-social/murmur';
export const THUMBNAIL_PATH = '/api/v1/instance/thumbnail.png';

const publicRoute = { auth: 'none' as const };
const instanceTags = ['instance'];

function configurationFor(maxCharacters: number) {
  return {
    accounts: { max_featured_tags: MAX_FEATURED_TAGS, max_pinned_statuses: MAX_PINNED_STATUSES },
    statuses: {
      max_characters: maxCharacters,
      max_media_attachments: MAX_MEDIA_PER_STATUS,
      characters_reserved_per_url: URL_LENGTH,
    },
    // Photos only for now: no video or audio type is offered, so their limits are 0.
    media_attachments: {
      supported_mime_types: [...SUPPORTED_IMAGE_TYPES],
      image_size_limit: MEDIA_LIMITS.maxUploadBytes,
      image_matrix_limit: MEDIA_LIMITS.maxInputPixels,
      video_size_limit: 0,
      video_frame_rate_limit: 0,
      video_matrix_limit: 0,
      description_limit: MAX_MEDIA_DESCRIPTION_LENGTH,
    },
    polls: {
      max_options: POLL_LIMITS.maxOptions,
      max_characters_per_option: POLL_LIMITS.maxCharactersPerOption,
      min_expiration: POLL_LIMITS.minExpiration,
      max_expiration: POLL_LIMITS.maxExpiration,
    },
  };
}

export default async function instanceRoutes(app: ApiInstance): Promise<void> {
  const { config } = app;
  const origin = config.publicOrigin;
  const domain = new URL(origin).host;
  const streaming = `${origin.startsWith('https:') ? 'wss' : 'ws'}://${domain}`;
  const thumbnail = `${origin}${THUMBNAIL_PATH}`;
  const description = `${config.INSTANCE_TITLE}: a small, Mastodon-compatible microblogging server.`;

  app.get(
    '/api/v2/instance',
    {
      config: publicRoute,
      schema: {
        tags: instanceTags,
        summary: 'Server information (v2)',
        response: { 200: InstanceV2 },
      },
    },
    async () => {
      const counts = await readInstanceCounts(app.database.replica);
      return {
        domain,
        title: config.INSTANCE_TITLE,
        version: MASTODON_VERSION,
        source_url: SOURCE_URL,
        description,
        usage: { users: { active_month: counts.activeMonth } },
        thumbnail: { url: thumbnail, blurhash: null },
        icon: [{ src: thumbnail, size: '200x100' }],
        languages: ['en'],
        configuration: {
          urls: {
            // The streaming API is served by the API at the same origin (src/streaming/).
            streaming,
            status: null,
            about: `${origin}/about`,
            privacy_policy: null,
            terms_of_service: null,
          },
          // Empty while push is off: the routes then refuse to subscribe.
          vapid: { public_key: config.webPush.enabled ? config.webPush.publicKey : '' },
          ...configurationFor(config.MAX_STATUS_CHARACTERS),
          translation: { enabled: false },
        },
        registrations: {
          enabled: config.registrationsMode !== 'closed',
          approval_required: config.registrationsMode === 'approval',
          message:
            config.registrationsMode === 'closed'
              ? 'This server is not accepting new accounts.'
              : config.registrationsMode === 'approval'
                ? 'Each sign-up is approved by a moderator: tell them why you want to join.'
                : null,
          url: null,
        },
        api_versions: { mastodon: 2 },
        contact: { email: config.INSTANCE_CONTACT_EMAIL, account: null },
        rules: await listInstanceRules(app.database.replica),
      };
    },
  );

  app.get(
    '/api/v1/instance',
    {
      config: publicRoute,
      schema: {
        tags: instanceTags,
        summary: 'Server information (v1, deprecated but still read by clients)',
        response: { 200: InstanceV1 },
      },
    },
    async () => {
      const counts = await readInstanceCounts(app.database.replica);
      return {
        uri: domain,
        title: config.INSTANCE_TITLE,
        short_description: description,
        description,
        email: config.INSTANCE_CONTACT_EMAIL,
        version: MASTODON_VERSION,
        urls: { streaming_api: streaming },
        stats: { user_count: counts.users, status_count: counts.localPosts, domain_count: 0 },
        thumbnail,
        languages: ['en'],
        registrations: config.registrationsMode !== 'closed',
        approval_required: config.registrationsMode === 'approval',
        invites_enabled: false,
        configuration: configurationFor(config.MAX_STATUS_CHARACTERS),
        contact_account: null,
        rules: await listInstanceRules(app.database.replica),
      };
    },
  );

  app.get(
    '/api/v1/instance/activity',
    {
      config: publicRoute,
      schema: {
        tags: instanceTags,
        summary: 'Weekly activity of the last 12 weeks (from the daily statistics)',
        response: { 200: Type.Array(ActivityWeek) },
      },
    },
    async () => {
      const now = app.clock();
      const days = await readDailyStatistics(app.database.replica, activityRange(now));
      return weeklyActivity(days, now);
    },
  );

  app.get(
    '/api/v1/instance/rules',
    {
      config: publicRoute,
      schema: {
        tags: instanceTags,
        summary: 'Server rules (managed with `pnpm murmurctl rules`)',
        response: { 200: Type.Array(Rule) },
      },
    },
    async () => listInstanceRules(app.database.replica),
  );

  // Who reads the list is the operator's choice (DOMAIN_BLOCKS_VISIBILITY, as Mastodon's
  // "show domain blocks" setting): everyone, signed-in people (default), or nobody (404).
  const blocksVisibility = config.domainBlocksVisibility;
  app.get(
    '/api/v1/instance/domain_blocks',
    {
      config: { auth: blocksVisibility === 'users' ? 'user' : 'none', scopes: [] },
      schema: {
        tags: instanceTags,
        summary: 'Servers this instance silences or suspends',
        description:
          'Shown to everyone, to signed-in people only, or to nobody, as the operator chose (DOMAIN_BLOCKS_VISIBILITY). Masked domains keep their SHA-256 digest.',
        response: { 200: Type.Array(DomainBlock), ...ERRORS },
      },
    },
    async () => {
      if (blocksVisibility === 'none') {
        throw new DomainError('DomainBlockNotFound', 'Record not found');
      }
      const blocks = await listPublicInstanceDomainBlocks(app.database.replica);
      return blocks.map((block) =>
        serializePublicDomainBlock(block as typeof block & { severity: 'silence' | 'suspend' }),
      );
    },
  );

  app.get(
    '/api/v1/instance/peers',
    {
      config: publicRoute,
      schema: {
        tags: instanceTags,
        summary: 'Domains this server knows',
        description:
          'The domains of the remote accounts this server knows, but those it suspended, in order.',
        response: { 200: Type.Array(Type.String()) },
      },
    },
    async () => knownPeerDomains(app.database.replica),
  );

  app.get(
    '/api/v1/custom_emojis',
    {
      config: publicRoute,
      schema: {
        tags: instanceTags,
        summary: 'Custom emojis (none)',
        response: { 200: Type.Array(CustomEmoji) },
      },
    },
    async () => [],
  );

  app.get(
    THUMBNAIL_PATH,
    {
      config: publicRoute,
      schema: { tags: instanceTags, summary: 'The instance thumbnail image (PNG)', hide: true },
    },
    async (_request, reply) =>
      reply
        .type('image/png')
        .header('cache-control', 'public, max-age=86400')
        .send(INSTANCE_THUMBNAIL_PNG),
  );
}
