/**
 * Client registration (`POST /api/v1/apps`, public, as Mastodon) and `GET /api/v1/apps/verify_credentials`.
 * Registration is unauthenticated (ASVS 5 10.4.7), so its metadata is validated strictly: every
 * redirect URI must be safe to redirect to, every scope must exist.
 */
import { registerApplication, findApplicationById, type OAuthApplication } from '@murmur/db/auth';
import { Type } from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { HttpError } from '../../../plugins/errors.js';
import { parseScopes, unknownScopes } from '../../../plugins/scopes.js';
import { ErrorBody } from '../../../schemas/atoms.js';
import { redirectUriProblem, splitRedirectUris } from '../../oauth/redirect-uris.js';

const MAX_NAME_LENGTH = 60;
const MAX_REDIRECT_URIS = 10;

const CreateAppBody = Type.Object({
  client_name: Type.Optional(Type.String({ maxLength: 1000 })),
  redirect_uris: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 20_000 }),
      Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 50 }),
    ]),
  ),
  scopes: Type.Optional(Type.String({ maxLength: 2000 })),
  website: Type.Optional(Type.String({ maxLength: 2000 })),
});

const ApplicationFields = {
  id: Type.String(),
  name: Type.String(),
  website: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  redirect_uri: Type.String({ description: 'Deprecated: the redirect URIs joined by newlines' }),
  redirect_uris: Type.Array(Type.String()),
  vapid_key: Type.String(),
};
const Application = Type.Object(ApplicationFields, { description: 'Application' });
const CredentialApplication = Type.Object(
  {
    ...ApplicationFields,
    client_id: Type.String(),
    client_secret: Type.String(),
    client_secret_expires_at: Type.Integer(),
  },
  { description: 'CredentialApplication: the client secret is shown only here' },
);

export function applicationEntity(application: OAuthApplication) {
  return {
    id: application.id,
    name: application.name,
    website: application.website,
    scopes: application.scopes,
    redirect_uri: application.redirectUris.join('\n'),
    redirect_uris: application.redirectUris,
    vapid_key: '',
  };
}

function invalid(message: string): HttpError {
  return new HttpError(422, { error: `Validation failed: ${message}` });
}

function websiteProblem(website: string): string | null {
  const url = URL.parse(website);
  if (!url) return 'Website must be a URL';
  return url.protocol === 'https:' || url.protocol === 'http:'
    ? null
    : 'Website must be an http(s) URL';
}

export default async function appRoutes(app: ApiInstance): Promise<void> {
  app.post(
    '/api/v1/apps',
    {
      config: { auth: 'none' },
      schema: {
        summary: 'Register a client application',
        tags: ['apps'],
        body: CreateAppBody,
        response: { 200: CredentialApplication, 422: ErrorBody },
      },
    },
    async (request) => {
      const body = request.body;
      const name = body.client_name?.trim() ?? '';
      if (name === '') throw invalid("Name can't be blank");
      if ([...name].length > MAX_NAME_LENGTH)
        throw invalid(`Name is too long (maximum is ${MAX_NAME_LENGTH} characters)`);
      const redirectUris =
        body.redirect_uris === undefined ? [] : splitRedirectUris(body.redirect_uris);
      if (redirectUris.length === 0) throw invalid("Redirect URI can't be blank");
      if (redirectUris.length > MAX_REDIRECT_URIS)
        throw invalid(`At most ${MAX_REDIRECT_URIS} redirect URIs`);
      for (const uri of redirectUris) {
        const problem = redirectUriProblem(uri);
        if (problem) throw invalid(`Redirect URI ${problem}`);
      }
      const requested = parseScopes(body.scopes);
      const scopes = requested.length > 0 ? requested : ['read'];
      const unknown = unknownScopes(scopes);
      if (unknown.length > 0) throw invalid(`Scopes are not valid: ${unknown.join(', ')}`);
      const website = body.website?.trim() || null;
      if (website) {
        const problem = websiteProblem(website);
        if (problem) throw invalid(problem);
      }
      const { application, clientSecret } = await registerApplication(app.database, {
        name,
        website,
        redirectUris,
        scopes,
      });
      request.log.info(
        { event: 'oauth.app_registered', applicationId: application.id },
        'application registered',
      );
      return {
        ...applicationEntity(application),
        client_id: application.clientId,
        client_secret: clientSecret,
        client_secret_expires_at: 0,
      };
    },
  );

  app.get(
    '/api/v1/apps/verify_credentials',
    {
      config: { auth: 'app', scopes: [] },
      schema: {
        summary: 'The application of the access token',
        tags: ['apps'],
        security: [{ bearer: [] }],
        response: { 200: Application, 401: ErrorBody },
      },
    },
    async (request) => {
      const application = await findApplicationById(
        app.database.primary,
        request.auth!.applicationId,
      );
      if (!application) throw new HttpError(401, { error: 'The access token is invalid' });
      return applicationEntity(application);
    },
  );
}
