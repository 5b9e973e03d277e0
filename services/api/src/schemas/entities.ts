/**
 * The Mastodon entities this server emits, as TypeBox schemas. They document the API (OpenAPI),
 * drive fast serialization of responses, and the contract tests check every body against them.
 * Field lists follow https://docs.joinmastodon.org/entities/.
 */
import { NOTIFICATION_TYPES } from '@murmur/db/notifications';
import { VISIBILITIES } from '@murmur/db/statuses';
import Type, { type Static } from 'typebox';
import { DateOnly, DateTime, Id, Nullable, Url } from './atoms.js';

export const Visibility = Type.Enum([...VISIBILITIES]);

export const CustomEmoji = Type.Object({
  shortcode: Type.String(),
  url: Url,
  static_url: Url,
  visible_in_picker: Type.Boolean(),
  category: Type.Optional(Nullable(Type.String())),
});

export const Field = Type.Object({
  name: Type.String(),
  value: Type.String(),
  verified_at: Nullable(DateTime),
});

export const Account = Type.Object(
  {
    id: Id,
    username: Type.String(),
    acct: Type.String(),
    url: Url,
    uri: Url,
    display_name: Type.String(),
    note: Type.String(),
    avatar: Url,
    avatar_static: Url,
    header: Url,
    header_static: Url,
    locked: Type.Boolean(),
    bot: Type.Boolean(),
    group: Type.Boolean(),
    discoverable: Nullable(Type.Boolean()),
    indexable: Type.Boolean(),
    hide_collections: Nullable(Type.Boolean()),
    noindex: Type.Boolean(),
    fields: Type.Array(Field),
    emojis: Type.Array(CustomEmoji),
    roles: Type.Array(Type.Object({ id: Id, name: Type.String(), color: Type.String() })),
    created_at: DateTime,
    last_status_at: Nullable(DateOnly),
    statuses_count: Type.Integer(),
    followers_count: Type.Integer(),
    following_count: Type.Integer(),
  },
  { description: 'Account' },
);
export type Account = Static<typeof Account>;

export const Role = Type.Object({
  id: Id,
  name: Type.String(),
  color: Type.String(),
  permissions: Type.String(),
  highlighted: Type.Boolean(),
});

export const CredentialAccount = Type.Object(
  {
    ...Account.properties,
    source: Type.Object({
      note: Type.String(),
      fields: Type.Array(Field),
      privacy: Visibility,
      sensitive: Type.Boolean(),
      language: Nullable(Type.String()),
      follow_requests_count: Type.Integer(),
      hide_collections: Nullable(Type.Boolean()),
      discoverable: Nullable(Type.Boolean()),
      indexable: Type.Boolean(),
      attribution_domains: Type.Array(Type.String()),
      quote_policy: Type.String(),
    }),
    role: Role,
  },
  { description: 'CredentialAccount: the signed-in account, with its source fields' },
);
export type CredentialAccount = Static<typeof CredentialAccount>;

export const StatusMention = Type.Object({
  id: Id,
  username: Type.String(),
  url: Url,
  acct: Type.String(),
});
export const StatusTag = Type.Object({ name: Type.String(), url: Url });

const MediaFileMeta = Type.Object({
  width: Type.Integer(),
  height: Type.Integer(),
  size: Type.String(),
  aspect: Type.Number(),
});

/**
 * A photo (video and audio can come later); `url` is null while the upload is processed. Another
 * server's file that is not kept here is `unknown`, its `url` the `remote_url`.
 */
export const MediaAttachment = Type.Object(
  {
    id: Id,
    type: Type.Union([Type.Literal('image'), Type.Literal('unknown')]),
    url: Nullable(Url),
    preview_url: Nullable(Url),
    remote_url: Nullable(Url),
    preview_remote_url: Nullable(Url),
    text_url: Nullable(Url),
    meta: Type.Object({
      original: Type.Optional(MediaFileMeta),
      small: Type.Optional(MediaFileMeta),
      focus: Type.Object({ x: Type.Number(), y: Type.Number() }),
    }),
    description: Nullable(Type.String()),
    blurhash: Nullable(Type.String()),
  },
  { description: 'MediaAttachment' },
);
export type MediaAttachment = Static<typeof MediaAttachment>;

const FilterContext = Type.Union([
  Type.Literal('home'),
  Type.Literal('notifications'),
  Type.Literal('public'),
  Type.Literal('thread'),
  Type.Literal('account'),
]);
export const FilterKeyword = Type.Object(
  { id: Id, keyword: Type.String(), whole_word: Type.Boolean() },
  { description: 'FilterKeyword' },
);
export const FilterStatus = Type.Object({ id: Id, status_id: Id }, { description: 'FilterStatus' });
export const Filter = Type.Object(
  {
    id: Id,
    title: Type.String(),
    context: Type.Array(FilterContext),
    expires_at: Nullable(DateTime),
    filter_action: Type.Union([Type.Literal('warn'), Type.Literal('hide'), Type.Literal('blur')]),
    keywords: Type.Optional(Type.Array(FilterKeyword)),
    statuses: Type.Optional(Type.Array(FilterStatus)),
  },
  { description: 'Filter' },
);
export type Filter = Static<typeof Filter>;
export const FilterResult = Type.Object({
  filter: Filter,
  keyword_matches: Nullable(Type.Array(Type.String())),
  status_matches: Nullable(Type.Array(Id)),
});
export type FilterResult = Static<typeof FilterResult>;
/** Mastodon's V1::Filter: one keyword of a v2 filter. */
export const V1Filter = Type.Object(
  {
    id: Id,
    phrase: Type.String(),
    context: Type.Array(FilterContext),
    whole_word: Type.Boolean(),
    expires_at: Nullable(DateTime),
    irreversible: Type.Boolean(),
  },
  { description: 'V1::Filter' },
);
/** A poll attached to a status; `voted` and `own_votes` only for a signed-in viewer. */
export const Poll = Type.Object(
  {
    id: Id,
    expires_at: Nullable(DateTime),
    expired: Type.Boolean(),
    multiple: Type.Boolean(),
    votes_count: Type.Integer(),
    voters_count: Nullable(Type.Integer()),
    options: Type.Array(
      Type.Object({ title: Type.String(), votes_count: Nullable(Type.Integer()) }),
    ),
    emojis: Type.Array(CustomEmoji),
    voted: Type.Optional(Type.Boolean()),
    own_votes: Type.Optional(Type.Array(Type.Integer())),
  },
  { description: 'Poll' },
);

const statusProperties = {
  id: Id,
  uri: Url,
  url: Nullable(Url),
  created_at: DateTime,
  edited_at: Nullable(DateTime),
  account: Account,
  content: Type.String(),
  text: Nullable(Type.String()),
  visibility: Visibility,
  sensitive: Type.Boolean(),
  spoiler_text: Type.String(),
  language: Nullable(Type.String()),
  in_reply_to_id: Nullable(Id),
  in_reply_to_account_id: Nullable(Id),
  media_attachments: Type.Array(MediaAttachment),
  mentions: Type.Array(StatusMention),
  tags: Type.Array(StatusTag),
  emojis: Type.Array(CustomEmoji),
  replies_count: Type.Integer(),
  reblogs_count: Type.Integer(),
  favourites_count: Type.Integer(),
  quotes_count: Type.Integer(),
  poll: Nullable(Poll),
  card: Type.Null(),
  application: Nullable(Type.Object({ name: Type.String(), website: Nullable(Type.String()) })),
  favourited: Type.Optional(Type.Boolean()),
  reblogged: Type.Optional(Type.Boolean()),
  muted: Type.Optional(Type.Boolean()),
  bookmarked: Type.Optional(Type.Boolean()),
  pinned: Type.Optional(Type.Boolean()),
  filtered: Type.Optional(Type.Array(FilterResult)),
};

/** A status as it appears inside a reblog (its own `reblog` is always null). */
export const RebloggedStatus = Type.Object({ ...statusProperties, reblog: Type.Null() });

/** A status waiting to be posted (`scheduled_at` when posting, `/api/v1/scheduled_statuses`). */
export const ScheduledStatus = Type.Object(
  {
    id: Id,
    scheduled_at: DateTime,
    params: Type.Object({
      text: Type.String(),
      visibility: Visibility,
      spoiler_text: Nullable(Type.String()),
      sensitive: Nullable(Type.Boolean()),
      language: Nullable(Type.String()),
      in_reply_to_id: Nullable(Type.String()),
      media_ids: Nullable(Type.Array(Type.String())),
      poll: Nullable(
        Type.Object({
          options: Type.Array(Type.String()),
          expires_in: Type.Integer(),
          multiple: Type.Boolean(),
          hide_totals: Type.Boolean(),
        }),
      ),
      idempotency: Nullable(Type.String()),
      scheduled_at: Nullable(Type.String()),
      application_id: Type.Integer(),
      with_rate_limit: Type.Boolean(),
    }),
    media_attachments: Type.Array(MediaAttachment),
  },
  { description: 'ScheduledStatus' },
);

/** A revision of a status (`GET /api/v1/statuses/:id/history`), the original first. */
export const StatusEdit = Type.Object(
  {
    content: Type.String(),
    spoiler_text: Type.String(),
    sensitive: Type.Boolean(),
    created_at: DateTime,
    account: Account,
    poll: Nullable(Type.Object({ options: Type.Array(Type.Object({ title: Type.String() })) })),
    media_attachments: Type.Array(MediaAttachment),
    emojis: Type.Array(CustomEmoji),
  },
  { description: 'StatusEdit' },
);

/** The plain text a status was written from (`GET /api/v1/statuses/:id/source`), for editing. */
export const StatusSource = Type.Object(
  { id: Id, text: Type.String(), spoiler_text: Type.String() },
  { description: 'StatusSource' },
);

export const Status = Type.Object(
  { ...statusProperties, reblog: Nullable(RebloggedStatus) },
  { description: 'Status' },
);
export type Status = Static<typeof Status>;

export const Context = Type.Object({
  ancestors: Type.Array(Status),
  descendants: Type.Array(Status),
});

export const Relationship = Type.Object({
  id: Id,
  following: Type.Boolean(),
  showing_reblogs: Type.Boolean(),
  notifying: Type.Boolean(),
  languages: Nullable(Type.Array(Type.String())),
  followed_by: Type.Boolean(),
  blocking: Type.Boolean(),
  blocked_by: Type.Boolean(),
  muting: Type.Boolean(),
  muting_notifications: Type.Boolean(),
  muting_expires_at: Nullable(DateTime),
  requested: Type.Boolean(),
  requested_by: Type.Boolean(),
  domain_blocking: Type.Boolean(),
  endorsed: Type.Boolean(),
  note: Type.String(),
});
export type Relationship = Static<typeof Relationship>;

export const Tag = Type.Object({
  id: Type.Optional(Id),
  name: Type.String(),
  url: Url,
  history: Type.Array(
    Type.Object({
      day: Type.String({ description: 'UNIX time of the day (UTC midnight), as a string' }),
      uses: Type.String(),
      accounts: Type.String(),
    }),
  ),
  following: Type.Optional(Type.Boolean()),
  featuring: Type.Optional(Type.Boolean()),
});
export type Tag = Static<typeof Tag>;

export const FeaturedTag = Type.Object({
  id: Id,
  name: Type.String(),
  url: Url,
  statuses_count: Type.String(),
  last_status_at: Nullable(DateOnly),
});
export type FeaturedTag = Static<typeof FeaturedTag>;

export const FamiliarFollowers = Type.Object({ id: Id, accounts: Type.Array(Account) });

export const Suggestion = Type.Object({
  source: Type.String({ description: 'Deprecated single reason: `global` or `past_interactions`' }),
  sources: Type.Array(Type.String()),
  account: Account,
});

/** An operator's text (extended description, privacy policy): HTML and its date. */
export const InstanceText = Type.Object({ updated_at: DateTime, content: Type.String() });

export const TermsOfService = Type.Object({
  effective_date: DateOnly,
  effective: Type.Boolean(),
  content: Type.String(),
  succeeded_by: Nullable(DateOnly),
});

/** The types this server emits (clients map others to "unknown"). */
export const NotificationType = Type.Enum([...NOTIFICATION_TYPES]);

/** Report (Mastodon's entity): what the reporter sees, and what `admin.report` notifications carry. */
export const ReportCategory = Type.Union([
  Type.Literal('spam'),
  Type.Literal('legal'),
  Type.Literal('violation'),
  Type.Literal('other'),
]);

export const Report = Type.Object(
  {
    id: Id,
    action_taken: Type.Boolean(),
    action_taken_at: Nullable(DateTime),
    category: ReportCategory,
    comment: Type.String(),
    forwarded: Type.Boolean(),
    created_at: DateTime,
    status_ids: Nullable(Type.Array(Id)),
    rule_ids: Nullable(Type.Array(Id)),
    target_account: Account,
  },
  { description: 'Report: a report filed with the moderators' },
);
export type Report = Static<typeof Report>;

export const Notification = Type.Object({
  id: Id,
  type: NotificationType,
  created_at: DateTime,
  group_key: Type.String(),
  account: Account,
  status: Type.Optional(Status),
  report: Type.Optional(Report),
});
export type Notification = Static<typeof Notification>;

/** Grouped notifications (Mastodon 4.3+, `/api/v2/notifications`). */
export const NotificationGroup = Type.Object({
  group_key: Type.String(),
  // A string: notification ids are 64-bit snowflakes here, which a JSON number cannot carry
  // exactly (Mastodon's own are small serials; its web client reads this field as a string).
  most_recent_notification_id: Id,
  notifications_count: Type.Integer(),
  sample_account_ids: Type.Array(Id),
  type: NotificationType,
  status_id: Type.Optional(Id),
  page_min_id: Type.Optional(Id),
  page_max_id: Type.Optional(Id),
  latest_page_notification_at: Type.Optional(DateTime),
});
export type NotificationGroup = Static<typeof NotificationGroup>;

export const PartialAccountWithAvatar = Type.Object({
  id: Id,
  acct: Type.String(),
  url: Url,
  avatar: Url,
  avatar_static: Url,
  locked: Type.Boolean(),
  bot: Type.Boolean(),
});
export type PartialAccountWithAvatar = Static<typeof PartialAccountWithAvatar>;

export const GroupedNotificationsResults = Type.Object({
  accounts: Type.Array(Account),
  partial_accounts: Type.Optional(Type.Array(PartialAccountWithAvatar)),
  statuses: Type.Array(Status),
  notification_groups: Type.Array(NotificationGroup),
});

export const Search = Type.Object({
  accounts: Type.Array(Account),
  statuses: Type.Array(Status),
  hashtags: Type.Array(Tag),
});

export const Marker = Type.Object({
  last_read_id: Id,
  version: Type.Integer(),
  updated_at: DateTime,
});
export const Markers = Type.Object({
  home: Type.Optional(Marker),
  notifications: Type.Optional(Marker),
});

export const Preferences = Type.Object({
  'posting:default:visibility': Visibility,
  'posting:default:sensitive': Type.Boolean(),
  'posting:default:language': Nullable(Type.String()),
  'reading:expand:media': Type.String(),
  'reading:expand:spoilers': Type.Boolean(),
});

export const Rule = Type.Object({ id: Id, text: Type.String(), hint: Type.String() });

/** A server this instance blocks, as the public list shows it (Mastodon's DomainBlock). */
export const DomainBlock = Type.Object({
  domain: Type.String(),
  digest: Type.String(),
  severity: Type.Union([Type.Literal('silence'), Type.Literal('suspend')]),
  comment: Nullable(Type.String()),
});
export type DomainBlock = Static<typeof DomainBlock>;

export const ActivityWeek = Type.Object({
  week: Type.String(),
  statuses: Type.String(),
  logins: Type.String(),
  registrations: Type.String(),
});

const statusesConfiguration = Type.Object({
  max_characters: Type.Integer(),
  max_media_attachments: Type.Integer(),
  characters_reserved_per_url: Type.Integer(),
});
const mediaConfiguration = Type.Object({
  supported_mime_types: Type.Array(Type.String()),
  image_size_limit: Type.Integer(),
  image_matrix_limit: Type.Integer(),
  video_size_limit: Type.Integer(),
  video_frame_rate_limit: Type.Integer(),
  video_matrix_limit: Type.Integer(),
  description_limit: Type.Integer(),
});
const pollsConfiguration = Type.Object({
  max_options: Type.Integer(),
  max_characters_per_option: Type.Integer(),
  min_expiration: Type.Integer(),
  max_expiration: Type.Integer(),
});
const accountsConfiguration = Type.Object({
  max_featured_tags: Type.Integer(),
  max_pinned_statuses: Type.Integer(),
});

export const InstanceV2 = Type.Object({
  domain: Type.String(),
  title: Type.String(),
  version: Type.String(),
  source_url: Url,
  description: Type.String(),
  usage: Type.Object({ users: Type.Object({ active_month: Type.Integer() }) }),
  thumbnail: Type.Object({ url: Url, blurhash: Nullable(Type.String()) }),
  icon: Type.Array(Type.Object({ src: Url, size: Type.String() })),
  languages: Type.Array(Type.String()),
  configuration: Type.Object({
    urls: Type.Object({
      streaming: Nullable(Type.String()),
      status: Nullable(Type.String()),
      about: Url,
      privacy_policy: Nullable(Type.String()),
      terms_of_service: Nullable(Type.String()),
    }),
    vapid: Type.Object({ public_key: Type.String() }),
    accounts: accountsConfiguration,
    statuses: statusesConfiguration,
    media_attachments: mediaConfiguration,
    polls: pollsConfiguration,
    translation: Type.Object({ enabled: Type.Boolean() }),
  }),
  registrations: Type.Object({
    enabled: Type.Boolean(),
    approval_required: Type.Boolean(),
    message: Nullable(Type.String()),
    url: Nullable(Type.String()),
  }),
  api_versions: Type.Object({ mastodon: Type.Integer() }),
  contact: Type.Object({ email: Type.String(), account: Nullable(Account) }),
  rules: Type.Array(Rule),
});

export const InstanceV1 = Type.Object({
  uri: Type.String(),
  title: Type.String(),
  short_description: Type.String(),
  description: Type.String(),
  email: Type.String(),
  version: Type.String(),
  urls: Type.Object({ streaming_api: Type.String() }),
  stats: Type.Object({
    user_count: Type.Integer(),
    status_count: Type.Integer(),
    domain_count: Type.Integer(),
  }),
  thumbnail: Url,
  languages: Type.Array(Type.String()),
  registrations: Type.Boolean(),
  approval_required: Type.Boolean(),
  invites_enabled: Type.Boolean(),
  configuration: Type.Object({
    accounts: accountsConfiguration,
    statuses: statusesConfiguration,
    media_attachments: mediaConfiguration,
    polls: pollsConfiguration,
  }),
  contact_account: Nullable(Account),
  rules: Type.Array(Rule),
});

export const NodeInfoLinks = Type.Object({
  links: Type.Array(Type.Object({ rel: Type.String(), href: Url })),
});

export const NodeInfo = Type.Object({
  version: Type.Literal('2.0'),
  software: Type.Object({ name: Type.String(), version: Type.String() }),
  protocols: Type.Array(Type.String()),
  services: Type.Object({
    outbound: Type.Array(Type.String()),
    inbound: Type.Array(Type.String()),
  }),
  usage: Type.Object({
    users: Type.Object({
      total: Type.Integer(),
      activeMonth: Type.Integer(),
      activeHalfyear: Type.Integer(),
    }),
    localPosts: Type.Integer(),
  }),
  openRegistrations: Type.Boolean(),
  metadata: Type.Object({
    nodeName: Type.String(),
    upstream: Type.Object({ name: Type.String(), version: Type.String() }),
  }),
});

export const Reaction = Type.Object({
  name: Type.String(),
  count: Type.Integer(),
  me: Type.Optional(Type.Boolean()),
});

export const Announcement = Type.Object({
  id: Id,
  content: Type.String(),
  starts_at: Type.Union([DateTime, Type.Null()]),
  ends_at: Type.Union([DateTime, Type.Null()]),
  all_day: Type.Boolean(),
  published_at: DateTime,
  updated_at: DateTime,
  read: Type.Optional(Type.Boolean()),
  mentions: Type.Array(StatusMention),
  statuses: Type.Array(Type.Object({ id: Id, url: Url })),
  tags: Type.Array(StatusTag),
  emojis: Type.Array(CustomEmoji),
  reactions: Type.Array(Reaction),
});
export type Announcement = Static<typeof Announcement>;
