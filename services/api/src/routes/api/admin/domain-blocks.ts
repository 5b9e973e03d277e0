/**
 * Mastodon's admin API for instance domain blocks (`/api/v1/admin/domain_blocks`): list, read,
 * create, change and lift them. Each is an operation of @murmur/db that checks the moderator,
 * applies the block to the server's accounts, writes its event and the audit line.
 */
import { DomainError } from '@murmur/db';
import {
  blockInstanceDomain,
  changeInstanceDomainBlock,
  DOMAIN_BLOCK_SEVERITIES,
  findInstanceDomainBlock,
  listInstanceDomainBlocks,
  MAX_DOMAIN_BLOCK_COMMENT,
  unblockInstanceDomain,
  type DomainBlockOptions,
  type DomainBlockSeverity,
} from '@murmur/db/moderation';
import Type, { type Static } from 'typebox';
import { serializeAdminDomainBlock } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams, LenientBoolean, Nullable, PageQuery } from '../../../schemas/atoms.js';
import { AdminDomainBlock } from '../../../schemas/moderation.js';
import { ERRORS, pageOf, parseBoolean, setLinkHeaderFor, userOf } from '../_shared.js';
import { ADMIN_PAGE, requireStaffOnEveryRoute } from './staff.js';

const tags = ['admin'];
const READ = { auth: 'user' as const, scopes: ['admin:read:domain_blocks'] };
const WRITE = { auth: 'user' as const, scopes: ['admin:write:domain_blocks'] };

const Comment = Type.Optional(Nullable(Type.String({ maxLength: MAX_DOMAIN_BLOCK_COMMENT })));
const OptionsBody = {
  severity: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
  reject_media: Type.Optional(Nullable(LenientBoolean)),
  reject_reports: Type.Optional(Nullable(LenientBoolean)),
  obfuscate: Type.Optional(Nullable(LenientBoolean)),
  private_comment: Comment,
  public_comment: Comment,
};
const CreateBody = Type.Object({ domain: Type.String({ maxLength: 300 }), ...OptionsBody });
const ChangeBody = Type.Object(OptionsBody);

function severityOf(raw: string | null | undefined): DomainBlockSeverity | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const severity = DOMAIN_BLOCK_SEVERITIES.find((known) => known === raw);
  if (!severity) {
    throw new DomainError(
      'InvalidField',
      `Validation failed: severity must be one of ${DOMAIN_BLOCK_SEVERITIES.join(', ')}`,
      'severity',
    );
  }
  return severity;
}

/** The options a request sets; a field left out (or null) keeps its value. */
function optionsOf(body: Static<typeof ChangeBody> | undefined): DomainBlockOptions {
  const flag = (raw: boolean | string | null | undefined) =>
    raw === undefined || raw === null ? undefined : parseBoolean(raw);
  const options: DomainBlockOptions = {
    severity: severityOf(body?.severity),
    rejectMedia: flag(body?.reject_media),
    rejectReports: flag(body?.reject_reports),
    obfuscate: flag(body?.obfuscate),
    publicComment: body?.public_comment ?? undefined,
    privateComment: body?.private_comment ?? undefined,
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as DomainBlockOptions;
}

export default async function adminDomainBlockRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;
  requireStaffOnEveryRoute(app);

  const loadOne = async (id: string) => {
    const block = await findInstanceDomainBlock(database.primary, id);
    if (!block) throw new DomainError('DomainBlockNotFound', 'Record not found');
    return serializeAdminDomainBlock(block);
  };

  app.get(
    '/api/v1/admin/domain_blocks',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Servers the instance blocks, newest first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(AdminDomainBlock), ...ERRORS },
      },
    },
    async (request, reply) => {
      const blocks = await listInstanceDomainBlocks(
        database.primary,
        pageOf(request.query, ADMIN_PAGE.fallback, ADMIN_PAGE.max),
      );
      setLinkHeaderFor(request, reply, blocks);
      return blocks.map(serializeAdminDomainBlock);
    },
  );

  app.get(
    '/api/v1/admin/domain_blocks/:id',
    {
      config: READ,
      schema: {
        tags,
        summary: 'One instance domain block',
        params: IdParams,
        response: { 200: AdminDomainBlock, ...ERRORS },
      },
    },
    async (request) => loadOne(request.params.id),
  );

  app.post(
    '/api/v1/admin/domain_blocks',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Block a server for everyone: silence (default), suspend or noop',
        description:
          'A domain already blocked is refused (422): change its block instead. Subdomains are covered.',
        body: CreateBody,
        response: { 200: AdminDomainBlock, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = await blockInstanceDomain(database, {
        moderatorId: userOf(request),
        domain: request.body.domain,
        localDomain: new URL(app.config.publicOrigin).host,
        requestId: request.id,
        ...optionsOf(request.body),
      });
      return loadOne(id);
    },
  );

  app.put(
    '/api/v1/admin/domain_blocks/:id',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Change a block: its severity or options',
        params: IdParams,
        body: ChangeBody,
        response: { 200: AdminDomainBlock, ...ERRORS },
      },
    },
    async (request) => {
      await changeInstanceDomainBlock(database, {
        moderatorId: userOf(request),
        id: request.params.id,
        requestId: request.id,
        ...optionsOf(request.body),
      });
      return loadOne(request.params.id);
    },
  );

  app.delete(
    '/api/v1/admin/domain_blocks/:id',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Lift a block: what it did to the accounts of the server is undone',
        params: IdParams,
        response: { 200: Type.Object({}), ...ERRORS },
      },
    },
    async (request) => {
      await unblockInstanceDomain(database, {
        moderatorId: userOf(request),
        id: request.params.id,
        requestId: request.id,
      });
      return {};
    },
  );
}
