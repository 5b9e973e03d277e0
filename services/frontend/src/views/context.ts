import type { SessionAccount } from '@murmur/db/auth';

/** Who is looking, and what every page needs to render forms and dates. */
export interface PageContext {
  viewer: SessionAccount | null;
  /** The synchronizer token for forms; null when signed out. */
  csrfToken: string | null;
  now: Date;
  /** The current path and query, for forms that come back here. */
  path: string;
  maxStatusCharacters: number;
  /** Asset URL suffix that changes when the asset does (cache busting). */
  assetVersion: string;
}
