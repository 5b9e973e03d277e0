/**
 * What a profile shows besides its statuses, chosen by its owner: pinned statuses, featured
 * hashtags and featured accounts (endorsements). Each change writes an event (see @murmur/events).
 */
import { endorseAccount, endorsementsOf, unendorseAccount } from '@murmur/db/follows';
import {
  featuredTagsOf,
  featuredTagSuggestions,
  featureTag,
  findTagDetails,
  hashtagName,
  unfeatureTag,
} from '@murmur/db/tags';
import { pinStatus, unpinStatus } from '@murmur/db/statuses';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeFeaturedTag, serializeTagDetail } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { EmptyObject, IdParams, PageQuery } from '../../../schemas/atoms.js';
import { Account, FeaturedTag, Relationship, Status, Tag } from '../../../schemas/entities.js';
import {
  ERRORS,
  pageOf,
  recordNotFound,
  relationshipAfter,
  sendStatus,
  sendAccountPage,
  userOf,
} from '../_shared.js';
import { requireAccount } from './accounts.js';
import { loadStatus } from './statuses.js';

const NameParams = Type.Object({ name: Type.String({ maxLength: 200 }) });
const FeaturedTagBody = Type.Object({ name: Type.String({ maxLength: 200 }) });

export default async function profileFeatureRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;

  const signedIn = (request: FastifyRequest): { id: string; username: string } => {
    const account = request.auth?.account;
    if (!account) throw new Error('signedIn() used on a route that does not require a user');
    return account;
  };

  for (const [path, run, summary] of [
    ['pin', pinStatus, 'Pin one of your public or unlisted statuses to your profile (at most 5)'],
    ['unpin', unpinStatus, 'Unpin a status from your profile'],
  ] as const) {
    app.post(
      `/api/v1/statuses/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:accounts'] },
        schema: {
          tags: ['statuses'],
          summary,
          params: IdParams,
          response: { 200: Status, ...ERRORS },
        },
      },
      async (request, reply) => {
        const accountId = userOf(request);
        const pinned = await run(database, {
          accountId,
          statusId: request.params.id,
          requestId: request.id,
        });
        return sendStatus(request, reply, await loadStatus(database.primary, pinned.id, accountId));
      },
    );
  }

  const featuredTags = ['featured_tags'];

  app.get(
    '/api/v1/featured_tags',
    {
      config: { auth: 'user', scopes: ['read:accounts'] },
      schema: {
        tags: featuredTags,
        summary: 'The hashtags you feature on your profile',
        response: { 200: Type.Array(FeaturedTag), ...ERRORS },
      },
    },
    async (request) => {
      const account = signedIn(request);
      const views = await featuredTagsOf(database.primary, account.id);
      return views.map((view) => serializeFeaturedTag(view, account, origin));
    },
  );

  app.post(
    '/api/v1/featured_tags',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags: featuredTags,
        summary: 'Feature a hashtag on your profile (at most 10)',
        body: FeaturedTagBody,
        response: { 200: FeaturedTag, ...ERRORS },
      },
    },
    async (request) => {
      const account = signedIn(request);
      const { featuredTagId } = await featureTag(database, {
        accountId: account.id,
        name: request.body.name,
        requestId: request.id,
      });
      const views = await featuredTagsOf(database.primary, account.id);
      const view = views.find((v) => v.id === featuredTagId);
      if (!view) throw recordNotFound();
      return serializeFeaturedTag(view, account, origin);
    },
  );

  app.delete(
    '/api/v1/featured_tags/:id',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags: featuredTags,
        summary: 'Stop featuring a hashtag',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await unfeatureTag(database, {
        accountId: userOf(request),
        featuredTagId: request.params.id,
        requestId: request.id,
      });
      return {};
    },
  );

  app.get(
    '/api/v1/featured_tags/suggestions',
    {
      config: { auth: 'user', scopes: ['read:accounts'] },
      schema: {
        tags: featuredTags,
        summary: 'Hashtags you used most recently and do not feature yet',
        response: { 200: Type.Array(Tag), ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      const views = await featuredTagSuggestions(database.primary, accountId);
      return views.map((view) => serializeTagDetail(view, origin, accountId));
    },
  );

  app.get(
    '/api/v1/accounts/:id/featured_tags',
    {
      config: { auth: 'optional', scopes: ['read:accounts'] },
      schema: {
        tags: featuredTags,
        summary: 'The hashtags an account features on its profile',
        params: IdParams,
        response: { 200: Type.Array(FeaturedTag), ...ERRORS },
      },
    },
    async (request) => {
      const account = await requireAccount(app, request.params.id);
      const views = await featuredTagsOf(database.replica, account.id);
      return views.map((view) => serializeFeaturedTag(view, account, origin));
    },
  );

  for (const [path, summary] of [
    ['feature', 'Feature a hashtag on your profile (at most 10)'],
    ['unfeature', 'Stop featuring a hashtag'],
  ] as const) {
    app.post(
      `/api/v1/tags/:name/${path}`,
      {
        config: { auth: 'user', scopes: ['write:accounts'] },
        schema: {
          tags: featuredTags,
          summary,
          params: NameParams,
          response: { 200: Tag, ...ERRORS },
        },
      },
      async (request) => {
        const accountId = userOf(request);
        const { name } = request.params;
        if (path === 'feature') {
          await featureTag(database, { accountId, name, requestId: request.id });
        } else {
          await unfeatureTag(database, { accountId, name, requestId: request.id });
        }
        const tag = hashtagName(name);
        const view = tag && (await findTagDetails(database.primary, tag.name, accountId));
        if (!view) throw recordNotFound();
        return serializeTagDetail(view, origin, accountId);
      },
    );
  }

  const accountTags = ['accounts'];
  for (const [path, run, summary] of [
    ['endorse', endorseAccount, 'Feature an account you follow on your profile'],
    ['unendorse', unendorseAccount, 'Stop featuring an account on your profile'],
    ['pin', endorseAccount, 'Feature an account you follow (the older name of endorse)'],
    ['unpin', unendorseAccount, 'Stop featuring an account (the older name of unendorse)'],
  ] as const) {
    app.post(
      `/api/v1/accounts/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:accounts'] },
        schema: {
          tags: accountTags,
          summary,
          params: IdParams,
          response: { 200: Relationship, ...ERRORS },
        },
      },
      async (request) => relationshipAfter(request, (input) => run(database, input)),
    );
  }

  app.get(
    '/api/v1/endorsements',
    {
      config: { auth: 'user', scopes: ['read:accounts'] },
      schema: {
        tags: accountTags,
        summary: 'The accounts you feature on your profile',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = await endorsementsOf(
        database.primary,
        userOf(request),
        pageOf(request.query, 40, 80),
      );
      return sendAccountPage(request, reply, page);
    },
  );

  app.get(
    '/api/v1/accounts/:id/endorsements',
    {
      config: { auth: 'optional', scopes: ['read:accounts'] },
      schema: {
        tags: accountTags,
        summary: 'The accounts an account features on its profile',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request, reply) => {
      const account = await requireAccount(app, request.params.id);
      const page = await endorsementsOf(
        database.replica,
        account.id,
        pageOf(request.query, 40, 80),
      );
      return sendAccountPage(request, reply, page);
    },
  );
}
