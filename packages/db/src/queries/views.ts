import type {
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
  /** The status it is attached to; null until posted. */
  statusId: string | null;
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
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  mentions: { id: string; username: string }[];
  tags: { name: string; displayName: string }[];
  application: { name: string; website: string | null } | null;
  /** In the order they were attached; fixed once posted. */
  mediaAttachments: MediaView[];
  /** For a reblog: the original status. */
  reblog: StatusView | null;
  /** How the viewer relates to the status; all false without a viewer. */
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  /** Pinned to the viewer's profile (only ever true for the viewer's own statuses). */
  pinned: boolean;
}

export interface NotificationView {
  id: string;
  type: NotificationType;
  createdAt: Date;
  account: AccountView;
  status: StatusView | null;
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
