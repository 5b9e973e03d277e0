/**
 * Roles, as Mastodon's `role` entity describes them (https://docs.joinmastodon.org/entities/Role/):
 * four fixed roles, each with a permission bitmask using Mastodon's bit numbers so clients that read
 * `permissions` understand it. Who may act on whom is decided by rank.
 */
import { ACCOUNT_ROLES, type AccountRole } from './schema/accounts.js';

export { ACCOUNT_ROLES, type AccountRole };

/** Mastodon's permission bits (UserRole::FLAGS). */
export const PERMISSIONS = {
  administrator: 1 << 0,
  viewDevops: 1 << 1,
  viewAuditLog: 1 << 2,
  viewDashboard: 1 << 3,
  manageReports: 1 << 4,
  manageFederation: 1 << 5,
  manageSettings: 1 << 6,
  manageBlocks: 1 << 7,
  manageTaxonomies: 1 << 8,
  manageAppeals: 1 << 9,
  manageUsers: 1 << 10,
  manageInvites: 1 << 11,
  manageRules: 1 << 12,
  manageAnnouncements: 1 << 13,
  manageCustomEmojis: 1 << 14,
  manageWebhooks: 1 << 15,
  inviteUsers: 1 << 16,
  manageRoles: 1 << 17,
  manageUserAccess: 1 << 18,
  deleteUserData: 1 << 19,
} as const;

const MODERATOR_PERMISSIONS =
  PERMISSIONS.viewDashboard |
  PERMISSIONS.viewAuditLog |
  PERMISSIONS.manageUsers |
  PERMISSIONS.manageReports |
  PERMISSIONS.manageTaxonomies |
  PERMISSIONS.manageAppeals |
  PERMISSIONS.inviteUsers;

const ADMIN_PERMISSIONS =
  MODERATOR_PERMISSIONS |
  PERMISSIONS.viewDevops |
  PERMISSIONS.manageFederation |
  PERMISSIONS.manageSettings |
  PERMISSIONS.manageBlocks |
  PERMISSIONS.manageInvites |
  PERMISSIONS.manageRules |
  PERMISSIONS.manageAnnouncements |
  PERMISSIONS.manageCustomEmojis |
  PERMISSIONS.manageWebhooks |
  PERMISSIONS.manageRoles |
  PERMISSIONS.manageUserAccess |
  PERMISSIONS.deleteUserData;

export interface RoleDefinition {
  /** Mastodon's seeded role ids: moderator 1, admin 2, owner 3, everyone -99. */
  id: string;
  name: string;
  permissions: number;
  color: string;
  /** Shown as a badge on profiles. */
  highlighted: boolean;
  rank: number;
}

export const ROLES: Readonly<Record<AccountRole, RoleDefinition>> = Object.freeze({
  owner: {
    id: '3',
    name: 'Owner',
    permissions: PERMISSIONS.administrator | ADMIN_PERMISSIONS,
    color: '',
    highlighted: true,
    rank: 3,
  },
  admin: {
    id: '2',
    name: 'Admin',
    permissions: ADMIN_PERMISSIONS,
    color: '',
    highlighted: true,
    rank: 2,
  },
  moderator: {
    id: '1',
    name: 'Moderator',
    permissions: MODERATOR_PERMISSIONS,
    color: '',
    highlighted: true,
    rank: 1,
  },
  user: {
    id: '-99',
    name: '',
    permissions: PERMISSIONS.inviteUsers,
    color: '',
    highlighted: false,
    rank: 0,
  },
});

export function isAccountRole(value: string): value is AccountRole {
  return (ACCOUNT_ROLES as readonly string[]).includes(value);
}

/** Moderators, admins and the owner: who sees reports and the admin API. */
export function isStaff(role: AccountRole): boolean {
  return ROLES[role].rank >= ROLES.moderator.rank;
}

export function hasPermission(role: AccountRole, permission: number): boolean {
  const granted = ROLES[role].permissions;
  return (granted & PERMISSIONS.administrator) !== 0 || (granted & permission) !== 0;
}

/**
 * Whether `actor` may moderate an account with role `target`: only a lower role, except that an
 * owner may act on anyone (another owner included).
 */
export function outranks(actor: AccountRole, target: AccountRole): boolean {
  if (actor === 'owner') return true;
  return ROLES[actor].rank > ROLES[target].rank;
}
