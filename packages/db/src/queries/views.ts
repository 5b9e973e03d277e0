import type { ReportView } from './moderation.js';
import type {
  FilterAction,
  FilterContext,
  MediaMeta,
  MediaProcessingState,
  MediaType,
  NotificationType,
  Visibility,
} from '../schema/index.js';

/** What every reader of an account needs, without private fields. */
export interface AccountView {
  id: string;
  username: string;
  displayName: string;
  note: string;
  createdAt: Date;
  statusesCount: number;
  followersCount: number;
  followingCount: number;
  lastStatusAt: string | null;
  /** Storage keys of the processed avatar and header; null shows the defaults. */
  avatarKey: string | null;
  headerKey: string | null;
  /** Follows are requests the owner accepts (Mastodon's `locked`). */
  locked: boolean;
  /** Remote accounts only (null or absent for local ones): the server, actor id, profile page, images. */
  domain?: string | null;
  uri?: string | null;
  url?: string | null;
  remoteAvatarUrl?: string | null;
  remoteHeaderUrl?: string | null;
}

/** An attachment as its owner and its readers see it (files by storage key). */
export interface MediaView {
  id: string;
  type: MediaType;
  processing: MediaProcessingState;
  /** Why processing refused the file (failed only). */
  failureReason: string | null;
  originalKey: string | null;
  smallKey: string | null;
  meta: MediaMeta | null;
  description: string | null;
  focus: { x: number; y: number };
  blurhash: string | null;
  /** Another server's attachment: the file on that server (null for local uploads). */
  remoteUrl: string | null;
  /** The status it is attached to; null until posted. */
  statusId: string | null;
}

/** A poll with its counts and the viewer's choices. */
export interface PollView {
  id: string;
  options: string[];
  /** Votes per option, in the order of `options`. */
  optionVotes: number[];
  multiple: boolean;
  hideTotals: boolean;
  votesCount: number;
  votersCount: number;
  expiresAt: Date;
  /** The author of its status (who sees the totals, and cannot vote). */
  authorId: string;
  /** The viewer's choices (indexes into `options`); null without a viewer. */
  ownVotes: number[] | null;
}

export interface StatusView {
  id: string;
  account: AccountView;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  visibility: Visibility;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  createdAt: Date;
  /** When its author last edited it; null if never. */
  editedAt: Date | null;
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  /** Mentioned accounts; remote ones carry their `domain` and profile `url`. */
  mentions: { id: string; username: string; domain?: string | null; url?: string | null }[];
  tags: { name: string; displayName: string }[];
  /**
   * Remote statuses only (absent or null for local ones): the ActivityPub id, the page on the
   * author's server, and the content as sanitized HTML (shown as it is; `text` is its plain text).
   */
  uri?: string | null;
  url?: string | null;
  contentHtml?: string | null;
  application: { name: string; website: string | null } | null;
  /** In the order they were attached; fixed once posted. */
  mediaAttachments: MediaView[];
  poll: PollView | null;
  /** For a reblog: the original status. */
  reblog: StatusView | null;
  /** How the viewer relates to the status; all false without a viewer. */
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  /** Pinned to the viewer's profile (only ever true for the viewer's own statuses). */
  pinned: boolean;
  /** The viewer muted the conversation this status belongs to (absent: false). */
  muted?: boolean;
  /**
   * The viewer's filters this status matches in the context it was read in (Mastodon's
   * `filtered`); absent when read without a context. Hidden ones (`hide`) are never returned.
   */
  filtered?: StatusFilterMatch[];
}

/** One of the viewer's filters that a status matches, and what matched. */
export interface StatusFilterMatch {
  id: string;
  title: string;
  context: FilterContext[];
  action: FilterAction;
  expiresAt: string | null;
  keywordMatches: string[] | null;
  statusMatches: string[] | null;
}

export interface NotificationView {
  id: string;
  type: NotificationType;
  createdAt: Date;
  account: AccountView;
  status: StatusView | null;
  /** An `admin.report` notification's report, with the reported account. */
  report?: { view: ReportView; target: AccountView } | null;
}

export interface TagView {
  id: string;
  name: string;
  displayName: string;
}

/** A hashtag a profile features, with how often and when its owner last used it. */
export interface FeaturedTagView {
  id: string;
  name: string;
  statusesCount: number;
  lastStatusAt: string | null;
}

/** A hashtag with its use on each of the last days (newest first) and the viewer's relation to it. */
export interface TagDetailView extends TagView {
  history: { day: Date; uses: number; accounts: number }[];
  following: boolean;
  featuring: boolean;
}
