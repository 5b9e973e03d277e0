/**
 * Mastodon's admin API for accounts: lists with filters (v1 and v2), one account, the moderation
 * action (`none`, `sensitive`, `disable`, `silence`, `suspend`) and the ways back, approval of
 * sign-ups. The operations check the moderator outranks the account and log every step.
 */
import { DomainError } from '@murmur/db';
import {
  ACCOUNT_ACTIONS,
  adminAccountsById,
  isAccountRole,
  listAdminAccounts,
  reviewSignUp,
  takeAccountAction,
  type AccountRole,
  type AdminAccountFilter,
  type AdminAccountView,
} from '@murmur/db/moderation';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeAdminAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  EmptyObject,
  IdParams,
  LenientBoolean,
  Nullable,
  PageQuery,
  StringOrList,
} from '../../../schemas/atoms.js';
import { AdminAccount } from '../../../schemas/moderation.js';
import { ERRORS, pageOf, parseBoolean, setLinkHeaderFor, toList, userOf } from '../_shared.js';
import { ADMIN_PAGE, requireStaffOnEveryRoute } from './staff.js';

const tags = ['admin'];
const READ = { auth: 'user' as const, scopes: ['admin:read:accounts'] };
const WRITE = { auth: 'user' as const, scopes: ['admin:write:accounts'] };
const Text = Type.Optional(Type.String({ maxLength: 64 }));

const V1Query = Type.Object({
  ...PageQuery,
  local: Type.Optional(LenientBoolean),
  remote: Type.Optional(LenientBoolean),
  active: Type.Optional(LenientBoolean),
  pending: Type.Optional(LenientBoolean),
  disabled: Type.Optional(LenientBoolean),
  silenced: Type.Optional(LenientBoolean),
  suspended: Type.Optional(LenientBoolean),
  sensitized: Type.Optional(LenientBoolean),
  staff: Type.Optional(LenientBoolean),
  username: Text,
  display_name: Text,
  email: Text,
  ip: Text,
  by_domain: Text,
});

const V2Query = Type.Object({
  ...PageQuery,
  origin: Text,
  status: Text,
  permissions: Text,
  role_ids: Type.Optional(StringOrList),
  invited_by: Text,
  username: Text,
  display_name: Text,
  by_domain: Text,
  email: Text,
  ip: Text,
});

const STATUSES = ['active', 'pending', 'disabled', 'silenced', 'suspended', 'sensitized'] as const;
const ROLE_BY_ID: Record<string, AccountRole> = { '3': 'owner', '2': 'admin', '1': 'moderator' };

const ActionBody = Type.Object({
  type: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
  report_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  warning_preset_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  text: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
  send_email_notification: Type.Optional(Nullable(LenientBoolean)),
});

export default async function adminAccountRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;
  requireStaffOnEveryRoute(app);
  const origin = app.config.publicOrigin;

  const entities = (views: readonly AdminAccountView[]) =>
    views.map((view) => serializeAdminAccount(view, origin));
  const loadOne = async (id: string) => {
    const [view] = await adminAccountsById(database.primary, [id]);
    if (!view) throw new DomainError('AccountNotFound', 'Record not found');
    return serializeAdminAccount(view, origin);
  };
  /** One page of the list (v1 and v2 differ only in their filters), with its Link header. */
  const sendPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    filter: AdminAccountFilter | null,
    query: object,
  ) => {
    // A filter Murmur cannot match (remote accounts, a domain, an IP) matches nothing.
    const views =
      filter === null
        ? []
        : await listAdminAccounts(
            database.primary,
            filter,
            pageOf(query, ADMIN_PAGE.fallback, ADMIN_PAGE.max),
          );
    setLinkHeaderFor(
      request,
      reply,
      views.map((v) => v.account),
    );
    return entities(views);
  };

  app.get(
    '/api/v1/admin/accounts',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Accounts with their moderation state (v1 filters), newest first',
        querystring: V1Query,
        response: { 200: Type.Array(AdminAccount), ...ERRORS },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const status = STATUSES.find((s) => parseBoolean(q[s]));
      const unmatchable = parseBoolean(q.remote) || Boolean(q.by_domain) || Boolean(q.ip);
      const filter: AdminAccountFilter = {
        status: parseBoolean(q.staff) ? 'staff' : status,
        username: q.username,
        displayName: q.display_name,
        email: q.email,
      };
      return sendPage(request, reply, unmatchable ? null : filter, q);
    },
  );

  app.get(
    '/api/v2/admin/accounts',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Accounts with their moderation state (v2 filters), newest first',
        querystring: V2Query,
        response: { 200: Type.Array(AdminAccount), ...ERRORS },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (q.status !== undefined && !(STATUSES as readonly string[]).includes(q.status)) {
        throw new DomainError('InvalidField', `status must be one of ${STATUSES.join(', ')}`);
      }
      const roles = toList(q.role_ids).map(
        (id) => ROLE_BY_ID[id] ?? (isAccountRole(id) ? id : null),
      );
      const unmatchable =
        q.origin === 'remote' ||
        Boolean(q.by_domain) ||
        Boolean(q.ip) ||
        Boolean(q.invited_by) ||
        roles.includes(null);
      const filter: AdminAccountFilter = {
        status: q.permissions === 'staff' ? 'staff' : (q.status as AdminAccountFilter['status']),
        username: q.username,
        displayName: q.display_name,
        email: q.email,
        roleIds: roles.filter((r): r is AccountRole => r !== null),
      };
      return sendPage(request, reply, unmatchable ? null : filter, q);
    },
  );

  app.get(
    '/api/v1/admin/accounts/:id',
    {
      config: READ,
      schema: {
        tags,
        summary: 'One account with its moderation state',
        params: IdParams,
        response: { 200: AdminAccount, ...ERRORS },
      },
    },
    async (request) => loadOne(request.params.id),
  );

  app.post(
    '/api/v1/admin/accounts/:id/action',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Act on an account: none, sensitive, disable, silence or suspend',
        description:
          '`report_id` resolves that report with the action; `text` is kept in the audit log. Warning presets and e-mails to the account are not supported (ignored).',
        params: IdParams,
        body: ActionBody,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      const type = request.body?.type ?? 'none';
      if (!(ACCOUNT_ACTIONS as readonly string[]).includes(type)) {
        throw new DomainError(
          'InvalidField',
          `type must be one of ${ACCOUNT_ACTIONS.join(', ')}`,
          'type',
        );
      }
      await takeAccountAction(database, {
        moderatorId: userOf(request),
        accountId: request.params.id,
        type: type as (typeof ACCOUNT_ACTIONS)[number],
        reportId: request.body?.report_id ?? null,
        text: request.body?.text ?? '',
        requestId: request.id,
      });
      return {};
    },
  );

  for (const undo of ['unsuspend', 'unsilence', 'unsensitive', 'enable'] as const) {
    app.post(
      `/api/v1/admin/accounts/:id/${undo}`,
      {
        config: WRITE,
        schema: {
          tags,
          summary: {
            unsuspend: 'Lift a suspension',
            unsilence: 'Lift a limit (silence)',
            unsensitive: 'Stop marking the media of the account sensitive',
            enable: 'Let a disabled account sign in again',
          }[undo],
          params: IdParams,
          response: { 200: AdminAccount, ...ERRORS },
        },
      },
      async (request) => {
        await takeAccountAction(database, {
          moderatorId: userOf(request),
          accountId: request.params.id,
          type: undo,
          requestId: request.id,
        });
        return loadOne(request.params.id);
      },
    );
  }

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/admin/accounts/:id/${decision}`,
      {
        config: WRITE,
        schema: {
          tags,
          summary:
            decision === 'approve'
              ? 'Approve a sign-up waiting for approval'
              : 'Reject a sign-up waiting for approval (the account is deleted)',
          params: IdParams,
          response: { 200: AdminAccount, ...ERRORS },
        },
      },
      async (request) => {
        const before = await loadOne(request.params.id);
        await reviewSignUp(database, {
          moderatorId: userOf(request),
          accountId: request.params.id,
          decision,
        });
        return decision === 'approve' ? loadOne(request.params.id) : before;
      },
    );
  }
}
