/**
 * Validation of an authorization request (`GET /oauth/authorize` and every form that carries it).
 * The client and its redirect URI are checked first; until both are known good, nothing ever
 * redirects (RFC 6749 §4.1.2.1): every problem is shown on an error page.
 */
import { findApplicationByClientId, type OAuthApplication } from '@murmur/db/auth';
import type { ApiInstance } from '../../plugins/context.js';
import { parseScopes, scopesWithin } from '../../plugins/scopes.js';
import { matchesRegisteredUri, OUT_OF_BAND_URI } from './redirect-uris.js';

/** The query parameters of an authorization request, as they arrive. */
export interface AuthorizeParams {
  response_type?: string | undefined;
  client_id?: string | undefined;
  redirect_uri?: string | undefined;
  scope?: string | undefined;
  state?: string | undefined;
  code_challenge?: string | undefined;
  code_challenge_method?: string | undefined;
  force_login?: string | undefined;
  lang?: string | undefined;
}

export const AUTHORIZE_PARAM_NAMES = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'force_login',
  'lang',
] as const satisfies readonly (keyof AuthorizeParams)[];

export interface AuthorizeRequest {
  application: OAuthApplication;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  forceLogin: boolean;
  /** The validated parameters, to carry through forms and links. */
  params: Record<string, string>;
}

export interface AuthorizeProblem {
  status: 400;
  code: string;
  message: string;
}

/** Only the authorization parameters, from a body or query that may hold other fields. */
export function pickAuthorizeParams(source: Record<string, unknown> | undefined): AuthorizeParams {
  const picked: Record<string, string> = {};
  for (const name of AUTHORIZE_PARAM_NAMES) {
    const value = source?.[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

function problem(code: string, message: string): { ok: false; problem: AuthorizeProblem } {
  return { ok: false, problem: { status: 400, code, message } };
}

export async function validateAuthorizeRequest(
  app: ApiInstance,
  params: AuthorizeParams,
): Promise<{ ok: true; request: AuthorizeRequest } | { ok: false; problem: AuthorizeProblem }> {
  const application = params.client_id
    ? await findApplicationByClientId(app.database.primary, params.client_id)
    : null;
  if (!application)
    return problem('invalid_client', 'This application is not known to this server.');

  let redirectUri = params.redirect_uri;
  if (redirectUri === undefined && application.redirectUris.length === 1)
    redirectUri = application.redirectUris[0];
  if (redirectUri === undefined || !matchesRegisteredUri(application.redirectUris, redirectUri)) {
    return problem(
      'invalid_redirect_uri',
      'The redirect URI is not one the application registered.',
    );
  }

  if (params.response_type !== 'code') {
    return problem(
      'unsupported_response_type',
      'Only the authorization code flow (response_type=code) is supported.',
    );
  }

  const requested = parseScopes(params.scope);
  const scopes =
    requested.length > 0
      ? requested
      : [application.scopes.includes('read') ? 'read' : application.scopes[0]!];
  if (!scopesWithin(scopes, application.scopes)) {
    return problem('invalid_scope', 'The requested scopes exceed what the application registered.');
  }

  const challenge = params.code_challenge ?? null;
  if (challenge !== null) {
    if (params.code_challenge_method !== 'S256') {
      return problem(
        'invalid_request',
        'code_challenge_method must be S256 (plain is not supported).',
      );
    }
    if (!S256_CHALLENGE.test(challenge)) {
      return problem(
        'invalid_request',
        'code_challenge must be a base64url SHA-256 digest (43 characters).',
      );
    }
  } else if (params.code_challenge_method !== undefined) {
    return problem('invalid_request', 'code_challenge_method was sent without code_challenge.');
  }
  if (challenge === null && application.firstParty) {
    return problem('invalid_request', 'This client must use PKCE (code_challenge with S256).');
  }
  if (redirectUri === OUT_OF_BAND_URI && application.firstParty) {
    return problem('invalid_request', 'This client cannot use the out-of-band redirect.');
  }

  const carried: Record<string, string> = {
    response_type: 'code',
    client_id: application.clientId,
    redirect_uri: redirectUri,
    scope: scopes.join(' '),
  };
  if (params.state !== undefined) carried.state = params.state;
  if (challenge !== null) {
    carried.code_challenge = challenge;
    carried.code_challenge_method = 'S256';
  }
  return {
    ok: true,
    request: {
      application,
      redirectUri,
      scopes,
      state: params.state ?? null,
      codeChallenge: challenge,
      forceLogin: params.force_login === 'true' || params.force_login === '1',
      params: carried,
    },
  };
}

/** `path?query` for a link that continues the same authorization request. */
export function withParams(path: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return query ? `${path}?${query}` : path;
}

/** The client's redirect URI, byte for byte, with the response parameters added to its query. */
export function redirectWith(redirectUri: string, values: Record<string, string | null>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== null) query.append(name, value);
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query.toString()}`;
}
