/** RFC 8414 authorization server metadata (Mastodon 4.3+ serves it; clients treat 404 as "older server"). */
import { Type } from 'typebox';
import type { ApiInstance } from '../../plugins/context.js';
import { TOP_LEVEL_SCOPES, KNOWN_SCOPES } from '../../plugins/scopes.js';

const Metadata = Type.Object({
  issuer: Type.String(),
  service_documentation: Type.String(),
  authorization_endpoint: Type.String(),
  token_endpoint: Type.String(),
  app_registration_endpoint: Type.String(),
  revocation_endpoint: Type.String(),
  userinfo_endpoint: Type.String(),
  scopes_supported: Type.Array(Type.String()),
  response_types_supported: Type.Array(Type.String()),
  response_modes_supported: Type.Array(Type.String()),
  grant_types_supported: Type.Array(Type.String()),
  code_challenge_methods_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
});

export default async function wellKnownRoutes(app: ApiInstance): Promise<void> {
  const origin = app.config.publicOrigin;
  const metadata = {
    issuer: origin,
    service_documentation: `${origin}/api/docs`,
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    app_registration_endpoint: `${origin}/api/v1/apps`,
    revocation_endpoint: `${origin}/oauth/revoke`,
    userinfo_endpoint: `${origin}/oauth/userinfo`,
    scopes_supported: [
      ...TOP_LEVEL_SCOPES,
      ...[...KNOWN_SCOPES].filter((s) => !(TOP_LEVEL_SCOPES as readonly string[]).includes(s)),
    ],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
  app.get(
    '/.well-known/oauth-authorization-server',
    {
      schema: {
        summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
        tags: ['oauth'],
        response: { 200: Metadata },
      },
    },
    async () => metadata,
  );
}
