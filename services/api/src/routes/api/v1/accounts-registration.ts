/**
 * `POST /api/v1/accounts`: sign-up through the API, as Mastodon apps do it with an app token
 * (client credentials, `write:accounts`). Answers a Token for the new person, with the scopes of the
 * app token. Errors follow Mastodon: 422 with per-field `details`. Throttled to 5 per 30 min per IP.
 */
import { isDomainError, type DomainErrorCode } from '@murmur/db';
import { issueAccessToken } from '@murmur/db/auth';
import { registerAccount } from '@murmur/db/accounts';
import { Type } from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { HttpError } from '../../../plugins/errors.js';
import { clientAddressKey, passSharedLimits } from '../../../plugins/rate-limit.js';
import { ErrorBody, LenientBoolean } from '../../../schemas/atoms.js';
import { TokenResponse, tokenEntity } from '../../oauth/token.js';

const RegistrationBody = Type.Object({
  username: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.Optional(Type.String({ maxLength: 400 })),
  password: Type.Optional(Type.String({ maxLength: 4096 })),
  agreement: Type.Optional(LenientBoolean),
  locale: Type.Optional(Type.String({ maxLength: 32 })),
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
});

type Details = Record<string, { error: string; description: string }[]>;

const DETAIL_CODES: Partial<Record<DomainErrorCode, string>> = {
  UsernameTaken: 'ERR_TAKEN',
  EmailTaken: 'ERR_TAKEN',
  InvalidUsername: 'ERR_INVALID',
  InvalidEmail: 'ERR_INVALID',
  InvalidPassword: 'ERR_INVALID',
};

function accepted(value: boolean | string | undefined): boolean {
  if (typeof value === 'boolean') return value;
  return (
    value !== undefined && ['1', 'true', 't', 'on', 'yes'].includes(value.trim().toLowerCase())
  );
}

function validationFailed(details: Details): HttpError {
  const messages = Object.values(details).flatMap((list) => list.map((d) => d.description));
  return new HttpError(422, { error: `Validation failed: ${messages.join(', ')}`, details });
}

export default async function accountRegistrationRoutes(app: ApiInstance): Promise<void> {
  app.post(
    '/api/v1/accounts',
    {
      config: { auth: 'app', scopes: ['write:accounts'] },
      schema: {
        summary: 'Register an account (with an app token) and get a user token',
        tags: ['accounts'],
        security: [{ bearer: [] }],
        body: RegistrationBody,
        response: {
          200: TokenResponse,
          401: ErrorBody,
          403: ErrorBody,
          422: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      if (app.config.registrationsMode === 'closed')
        throw new HttpError(403, { error: 'This server is not accepting new accounts' });
      const allowed = await passSharedLimits(app, reply, [
        {
          key: `api-sign-up:ip:${clientAddressKey(request)}`,
          limit: app.rateLimits.apiSignUpPerIp,
        },
      ]);
      if (!allowed) return reply;

      const body = request.body;
      const details: Details = {};
      const blank = (field: string, label: string) => {
        details[field] = [{ error: 'ERR_BLANK', description: `${label} can't be blank` }];
      };
      if (!body.username?.trim()) blank('username', 'Username');
      if (!body.email?.trim()) blank('email', 'Email');
      if (!body.password) blank('password', 'Password');
      if (!accepted(body.agreement)) {
        details.agreement = [{ error: 'ERR_ACCEPTED', description: 'Agreement must be accepted' }];
      }
      if (Object.keys(details).length > 0) throw validationFailed(details);

      try {
        const account = await registerAccount(
          app.database,
          {
            username: body.username!.trim(),
            email: body.email!.trim(),
            password: body.password!,
            requestId: request.id,
            requireEmailConfirmation: app.config.REQUIRE_EMAIL_CONFIRMATION,
            approvalRequired: app.config.registrationsMode === 'approval',
            reason: body.reason ?? null,
          },
          { bcryptCost: app.config.BCRYPT_COST },
        );
        const { accessToken, token } = await issueAccessToken(app.database, {
          applicationId: request.auth!.applicationId,
          accountId: account.id,
          scopes: request.auth!.scopes,
          requestId: request.id,
        });
        request.log.info({ event: 'auth.sign_up', via: 'api', accountId: account.id }, 'signed up');
        reply.header('cache-control', 'no-store');
        return tokenEntity(accessToken, token);
      } catch (error) {
        if (!isDomainError(error) || !DETAIL_CODES[error.code]) throw error;
        throw validationFailed({
          [error.field ?? 'base']: [
            { error: DETAIL_CODES[error.code]!, description: error.message },
          ],
        });
      }
    },
  );
}
