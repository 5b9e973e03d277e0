/**
 * The moderation page of instance domain blocks (`/admin/domain_blocks`): the servers blocked for
 * everyone here, a form to block one (silence, suspend or noop, with its options and comments),
 * and for each block a change of severity and its lifting. Every change is an operation of
 * @murmur/db that checks the moderator, applies the block and writes the audit line.
 */
import {
  blockInstanceDomain,
  changeInstanceDomainBlock,
  DOMAIN_BLOCK_SEVERITIES,
  listInstanceDomainBlocks,
  MAX_DOMAIN_BLOCK_COMMENT,
  unblockInstanceDomain,
  type DomainBlockSeverity,
  type InstanceDomainBlock,
} from '@murmur/db/moderation';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { HttpError } from '../errors.js';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { actionButton, csrfField } from '../views/layout.js';
import { pager, timeElement } from '../views/status.js';
import { adminNav, requireStaff } from './moderation.js';
import { FormBase, IdParams, PageQuery, pageFrom } from './schemas.js';

const PATH = '/admin/domain_blocks';
const session = { csrf: 'session' } as const;

const SEVERITY_LABELS: Record<DomainBlockSeverity, string> = {
  silence: 'Limit: keep its posts out of public timelines, filter its notifications',
  suspend: 'Suspend: refuse its activities, send it nothing, end follows, hide its accounts',
  noop: 'No restriction (only the options below)',
};
const SEVERITY_NAMES: Record<DomainBlockSeverity, string> = {
  silence: 'limited',
  suspend: 'suspended',
  noop: 'no restriction',
};

const Comment = Type.Optional(Type.String({ maxLength: MAX_DOMAIN_BLOCK_COMMENT }));
const Checkbox = Type.Optional(Type.String({ maxLength: 8 }));
const BlockBody = Type.Object({
  ...FormBase,
  domain: Type.String({ maxLength: 300 }),
  severity: Type.Optional(Type.String({ maxLength: 16 })),
  reject_media: Checkbox,
  reject_reports: Checkbox,
  obfuscate: Checkbox,
  public_comment: Comment,
  private_comment: Comment,
});
const ChangeBody = Type.Object({ ...FormBase, severity: Type.String({ maxLength: 16 }) });

function severityOf(raw: string | undefined): DomainBlockSeverity {
  const severity = DOMAIN_BLOCK_SEVERITIES.find((known) => known === (raw ?? 'silence'));
  if (!severity) throw new HttpError(422, 'Choose how to block the server.');
  return severity;
}

function blockForm(context: PageContext): SafeHtml {
  return html`<form method="post" action="${PATH}" class="moderation-action">
${csrfField(context)}
<fieldset><legend>Block a server</legend>
<label for="block-domain">Server (domain name)</label>
<input id="block-domain" name="domain" required maxlength="253" autocomplete="off" placeholder="spam.example">
<fieldset><legend>Severity</legend>
${DOMAIN_BLOCK_SEVERITIES.map(
  (severity, index) =>
    html`<div><input type="radio" name="severity" value="${severity}" id="block-severity-${severity}"${index === 0 ? ' checked' : ''}> <label for="block-severity-${severity}">${SEVERITY_LABELS[severity]}</label></div>`,
)}
</fieldset>
<div><input type="checkbox" name="reject_media" value="1" id="block-reject-media"> <label for="block-reject-media">Reject its media</label></div>
<div><input type="checkbox" name="reject_reports" value="1" id="block-reject-reports"> <label for="block-reject-reports">Reject its reports</label></div>
<div><input type="checkbox" name="obfuscate" value="1" id="block-obfuscate"> <label for="block-obfuscate">Mask the domain in the public list</label></div>
<label for="block-public-comment">Public comment (shown with the public list)</label>
<textarea id="block-public-comment" name="public_comment" rows="2" maxlength="${MAX_DOMAIN_BLOCK_COMMENT}"></textarea>
<label for="block-private-comment">Private comment (moderators only)</label>
<textarea id="block-private-comment" name="private_comment" rows="2" maxlength="${MAX_DOMAIN_BLOCK_COMMENT}"></textarea>
<button type="submit" class="button primary">Block server</button>
</fieldset>
</form>`;
}

function blockRow(block: InstanceDomainBlock, context: PageContext): SafeHtml {
  const options = [
    block.rejectMedia && 'rejects media',
    block.rejectReports && 'rejects reports',
    block.obfuscate && 'masked in the public list',
  ].filter(Boolean);
  const select = `severity-${block.id}`;
  return html`<tr>
<th scope="row">${block.domain}</th>
<td>${SEVERITY_NAMES[block.severity]}</td>
<td>${options.length > 0 ? options.join(', ') : 'none'}</td>
<td>${block.publicComment}</td>
<td>${block.privateComment}</td>
<td>${timeElement(block.createdAt, context)}</td>
<td><form method="post" action="${PATH}/${block.id}" class="inline-form">${csrfField(context)}
<label for="${select}" class="visually-hidden">Severity for ${block.domain}</label>
<select id="${select}" name="severity">${DOMAIN_BLOCK_SEVERITIES.map((severity) => html`<option value="${severity}"${severity === block.severity ? ' selected' : ''}>${SEVERITY_NAMES[severity]}</option>`)}</select>
<button type="submit" class="button" aria-label="Change the block on ${block.domain}">Change</button></form>
${actionButton(context, `${PATH}/${block.id}/remove`, 'Lift', { ariaLabel: `Lift the block on ${block.domain}` })}</td>
</tr>`;
}

export function registerDomainBlockRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  app.get<{ Querystring: PageQuery }>(
    PATH,
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      await requireStaff(request, deps);
      const context = pageContext(request, deps);
      const blocks = await listInstanceDomainBlocks(deps.database.primary, pageFrom(request.query));
      const body = html`<h1>Blocked servers</h1>
${adminNav(PATH)}
${blockForm(context)}
${
  blocks.length === 0
    ? html`<p class="empty">No server is blocked.</p>`
    : html`<div class="table-scroll"><table>
<caption>Servers blocked for everyone here, newest first</caption>
<thead><tr><th scope="col">Server</th><th scope="col">Severity</th><th scope="col">Options</th><th scope="col">Public comment</th><th scope="col">Private comment</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead>
<tbody>${blocks.map((block) => blockRow(block, context))}</tbody></table></div>`
}
${pager(PATH, blocks, { limit: 20, paged: Boolean(request.query.max_id || request.query.min_id) })}`;
      return sendPage(reply, context, { title: 'Blocked servers', body, noindex: true });
    },
  );

  app.post<{ Body: Static<typeof BlockBody> }>(
    PATH,
    { config: session, schema: { body: BlockBody } },
    async (request, reply) => {
      const moderator = await requireStaff(request, deps);
      const { body } = request;
      await blockInstanceDomain(deps.database, {
        moderatorId: moderator.id,
        domain: body.domain,
        localDomain: deps.config.publicUrl.host,
        severity: severityOf(body.severity),
        rejectMedia: Boolean(body.reject_media),
        rejectReports: Boolean(body.reject_reports),
        obfuscate: Boolean(body.obfuscate),
        publicComment: body.public_comment ?? '',
        privateComment: body.private_comment ?? '',
        requestId: request.id,
      });
      return redirectBack(reply, undefined, PATH);
    },
  );

  app.post<{ Params: IdParams; Body: Static<typeof ChangeBody> }>(
    `${PATH}/:id`,
    { config: session, schema: { params: IdParams, body: ChangeBody } },
    async (request, reply) => {
      const moderator = await requireStaff(request, deps);
      await changeInstanceDomainBlock(deps.database, {
        moderatorId: moderator.id,
        id: request.params.id,
        severity: severityOf(request.body.severity),
        requestId: request.id,
      });
      return redirectBack(reply, undefined, PATH);
    },
  );

  app.post<{ Params: IdParams; Body: Static<typeof ChangeBody> }>(
    `${PATH}/:id/remove`,
    { config: session, schema: { params: IdParams, body: Type.Object(FormBase) } },
    async (request, reply) => {
      const moderator = await requireStaff(request, deps);
      await unblockInstanceDomain(deps.database, {
        moderatorId: moderator.id,
        id: request.params.id,
        requestId: request.id,
      });
      return redirectBack(reply, undefined, PATH);
    },
  );
}
