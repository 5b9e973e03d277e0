/**
 * Moderation entities as Mastodon documents them: Report (what the reporter sees),
 * Admin::Account and Admin::Report (https://docs.joinmastodon.org/entities/Admin_Account/,
 * .../Admin_Report/). Checked against the OpenAPI description's components in the tests.
 */
import Type, { type Static } from 'typebox';
import { DateTime, Id, Nullable } from './atoms.js';
import { Account, CredentialAccount, ReportCategory, Rule, Status } from './entities.js';

export { Report, ReportCategory } from './entities.js';

export const AdminAccount = Type.Object(
  {
    id: Id,
    username: Type.String(),
    domain: Nullable(Type.String()),
    created_at: DateTime,
    email: Type.String(),
    ip: Nullable(Type.String()),
    ips: Type.Array(Type.Object({ ip: Type.String(), used_at: DateTime })),
    locale: Type.String(),
    invite_request: Nullable(Type.String()),
    role: CredentialAccount.properties.role,
    confirmed: Type.Boolean(),
    approved: Type.Boolean(),
    disabled: Type.Boolean(),
    sensitized: Type.Boolean(),
    silenced: Type.Boolean(),
    suspended: Type.Boolean(),
    account: Account,
    created_by_application_id: Type.Optional(Nullable(Id)),
    invited_by_account_id: Type.Optional(Nullable(Id)),
  },
  { description: 'Admin::Account: an account with what moderators know of it' },
);
export type AdminAccount = Static<typeof AdminAccount>;

export const AdminReport = Type.Object(
  {
    id: Id,
    action_taken: Type.Boolean(),
    action_taken_at: Nullable(DateTime),
    category: ReportCategory,
    comment: Type.String(),
    forwarded: Type.Boolean(),
    created_at: DateTime,
    updated_at: DateTime,
    account: AdminAccount,
    target_account: AdminAccount,
    assigned_account: Nullable(AdminAccount),
    action_taken_by_account: Nullable(AdminAccount),
    statuses: Type.Array(Status),
    rules: Type.Array(Rule),
  },
  { description: 'Admin::Report: a report with its accounts, statuses and rules' },
);
export type AdminReport = Static<typeof AdminReport>;

export const AdminDomainBlock = Type.Object(
  {
    id: Id,
    domain: Type.String(),
    digest: Type.String(),
    created_at: DateTime,
    severity: Type.Union([Type.Literal('silence'), Type.Literal('suspend'), Type.Literal('noop')]),
    reject_media: Type.Boolean(),
    reject_reports: Type.Boolean(),
    private_comment: Nullable(Type.String()),
    public_comment: Nullable(Type.String()),
    obfuscate: Type.Boolean(),
  },
  { description: 'Admin::DomainBlock: a server the instance blocks, as moderators see it' },
);
export type AdminDomainBlock = Static<typeof AdminDomainBlock>;
