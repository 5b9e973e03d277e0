/**
 * The operator's texts: the extended description, the privacy policy and the terms of service.
 * Written as plain text in the configuration (INSTANCE_EXTENDED_DESCRIPTION, ...), served as HTML;
 * each has a default that is true of this software, so a fresh server answers something sensible.
 */
import { renderPlainTextHtml } from '@murmur/text';
import Type from 'typebox';
import type { ApiConfig } from '../../../config.js';
import { NOT_FOUND_BODY } from '../../../plugins/errors.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { ERRORS } from '../_shared.js';
import { InstanceText, TermsOfService } from '../../../schemas/entities.js';

export function defaultExtendedDescription(config: ApiConfig): string {
  return `${config.INSTANCE_TITLE} is a small, Mastodon-compatible microblogging server. People write short posts, mention each other, tag posts with hashtags, follow each other and read timelines. Public posts can be read without an account.

Questions go to ${config.INSTANCE_CONTACT_EMAIL}.`;
}

export function defaultPrivacyPolicy(config: ApiConfig): string {
  return `This server stores what it needs to work: your account (username, e-mail address and a hash of your password), your posts, favourites, bookmarks, follows, featured hashtags and accounts, private notes, and the apps you signed in to.

Your e-mail address is used for the notifications you can turn off in your settings, and is never shown to anyone. Public and unlisted posts can be read by anyone; followers-only posts by your followers and the people you mention; direct posts by the people you mention. Bookmarks and private notes are seen by you alone.

Nothing is sold or shared with third parties, and this server does not federate with others. To have your account and its data deleted, write to ${config.INSTANCE_CONTACT_EMAIL}.`;
}

export function defaultTermsOfService(config: ApiConfig): string {
  return `By using ${config.INSTANCE_TITLE} you agree to treat others with respect. Do not post anything illegal, harassment, spam, or other people's private information.

The operator may remove posts and accounts that break these terms. Questions and reports go to ${config.INSTANCE_CONTACT_EMAIL}.`;
}

const DatePath = Type.Object({ date: Type.String({ maxLength: 10 }) });

export default async function instanceTextRoutes(app: ApiInstance): Promise<void> {
  const { config } = app;
  const updatedAt = new Date(`${config.INSTANCE_TEXTS_DATE}T00:00:00.000Z`).toISOString();
  const extendedDescription = {
    updated_at: updatedAt,
    content: renderPlainTextHtml(
      config.INSTANCE_EXTENDED_DESCRIPTION ?? defaultExtendedDescription(config),
    ),
  };
  const privacyPolicy = {
    updated_at: updatedAt,
    content: renderPlainTextHtml(config.INSTANCE_PRIVACY_POLICY ?? defaultPrivacyPolicy(config)),
  };
  // One version of the terms: in effect since INSTANCE_TEXTS_DATE, succeeded by none.
  const termsOfService = {
    effective_date: config.INSTANCE_TEXTS_DATE,
    effective: true,
    content: renderPlainTextHtml(config.INSTANCE_TERMS_OF_SERVICE ?? defaultTermsOfService(config)),
    succeeded_by: null,
  };
  const publicRoute = { auth: 'none' as const };
  const tags = ['instance'];

  app.get(
    '/api/v1/instance/extended_description',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'About this server, as HTML (INSTANCE_EXTENDED_DESCRIPTION)',
        response: { 200: InstanceText },
      },
    },
    async () => extendedDescription,
  );

  app.get(
    '/api/v1/instance/privacy_policy',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'The privacy policy, as HTML (INSTANCE_PRIVACY_POLICY)',
        response: { 200: InstanceText },
      },
    },
    async () => privacyPolicy,
  );

  app.get(
    '/api/v1/instance/terms_of_service',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'The terms of service in effect, as HTML (INSTANCE_TERMS_OF_SERVICE)',
        response: { 200: TermsOfService },
      },
    },
    async () => termsOfService,
  );

  app.get(
    '/api/v1/instance/terms_of_service/:date',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'The terms of service in effect from a date (only the current version exists)',
        params: DatePath,
        response: { 200: TermsOfService, ...ERRORS },
      },
    },
    async (request, reply) =>
      request.params.date === termsOfService.effective_date
        ? termsOfService
        : reply.code(404).send(NOT_FOUND_BODY),
  );
}
