/**
 * What every route can reach: `app.config`, `app.database`, `app.clock`, `app.statusJson` (Status
 * entities as JSON text), `app.mediaStorage`, `request.auth` (set by the auth plugin) and
 * `request.uploads` (files of a multipart body, set by the body-parsing plugin). Routes are written as plugins
 * taking an `ApiInstance`, so schemas type their handlers through the TypeBox type provider.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Database } from '@murmur/db';
import type { AuthenticatedToken } from '@murmur/db/auth';
import type { RemoteAccountResolver } from '@murmur/federation';
import type { MediaStorage } from '@murmur/media';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ApiConfig } from '../config.js';
import type { StatusJsonWriter } from '../entities/status-json.js';

/** Who is calling, from the bearer token; null when the route allows anonymous calls and none came. */
export interface RequestAuth {
  tokenId: string;
  /** Null for an app-level token (client credentials). */
  accountId: string | null;
  /** The signed-in person (id and username only; routes read what else they need). */
  account: AuthenticatedToken['account'];
  applicationId: string;
  scopes: string[];
  /** The account wrote through any API process in the last few seconds (read-your-writes). */
  wroteRecently: boolean;
  /** The account's e-mail address is confirmed (read with the token: no extra round trip). */
  emailConfirmed: boolean;
}

/**
 * Per-route authentication, declared in each route's `config`:
 * - `none`: no token is read (public pages, OAuth endpoints);
 * - `optional`: a valid token is used when present (an invalid one is still a 401);
 * - `user`: a token on behalf of a person; `app`: any valid token (client credentials included).
 * `scopes` is any-of and hierarchical (`read` grants `read:statuses`); `[]` means any scope.
 */
export type AuthMode = 'none' | 'optional' | 'user' | 'app';

export type Clock = () => Date;

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    scopes?: string[];
  }
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyInstance {
    config: ApiConfig;
    database: Database;
    clock: Clock;
    statusJson: StatusJsonWriter;
    mediaStorage: MediaStorage;
    /** Finds and stores accounts of other servers (`user@host`). */
    remoteAccounts: RemoteAccountResolver;
  }
}

export type ApiInstance = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
