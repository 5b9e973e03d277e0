/** `POST /api/v1/reports`: a person reports an account (and some of its posts) to the moderators. */
import { fileReport, findReport } from '@murmur/db/moderation';
import { findVisibleAccountById } from '@murmur/db/accounts';
import Type from 'typebox';
import { serializeReport } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { LenientBoolean, Nullable, StringOrList } from '../../../schemas/atoms.js';
import { Report } from '../../../schemas/moderation.js';
import { ERRORS, parseBoolean, recordNotFound, toList, userOf } from '../_shared.js';

const ReportBody = Type.Object({
  account_id: Type.String({ maxLength: 64 }),
  status_ids: Type.Optional(Nullable(StringOrList)),
  comment: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
  category: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
  rule_ids: Type.Optional(Nullable(StringOrList)),
  collection_ids: Type.Optional(Nullable(StringOrList)),
  forward: Type.Optional(Nullable(LenientBoolean)),
});

export default async function reportRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;
  app.post(
    '/api/v1/reports',
    {
      config: { auth: 'user', scopes: ['write:reports'] },
      schema: {
        tags: ['reports'],
        summary: 'Report an account to the moderators',
        description:
          'JSON or form. `status_ids`: posts of the reported account; `rule_ids` (ids from `/api/v1/instance/rules`) make it a `violation` report. Moderators are notified (`admin.report`). `forward` has no effect: every account is local.',
        body: ReportBody,
        response: { 200: Report, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body;
      // A suspended account cannot be reported any more than it can be seen.
      const target = await findVisibleAccountById(database.primary, body.account_id);
      if (!target) throw recordNotFound();
      const row = await fileReport(database, {
        accountId: userOf(request),
        targetAccountId: target.id,
        statusIds: toList(body.status_ids ?? undefined).map(String),
        ruleIds: toList(body.rule_ids ?? undefined).map(String),
        comment: body.comment ?? '',
        category: body.category ?? undefined,
        forward: parseBoolean(body.forward),
        requestId: request.id,
      });
      const report = await findReport(database.primary, row.id);
      if (!report) throw recordNotFound();
      return serializeReport(report, target, app.config.publicOrigin);
    },
  );
}
