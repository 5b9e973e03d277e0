/**
 * REGISTRATIONS_MODE as clients and people see it: `/api/v2/instance` tells the truth, `closed`
 * refuses sign-up, `approval` takes a reason and lets nobody sign in until a moderator approves;
 * the sign-up page asks people to accept the instance's rules.
 */
import { addInstanceRule, setAccountRole } from '@murmur/db/moderation';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { createAccountFixture } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { CookieJar, csrfFrom, form, FORM } from './_helpers.js';
import { json, startServer, tokenFor, type TestServer } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

/** A client-credentials token, as apps hold before signing someone up. */
async function appToken(server: TestServer): Promise<string> {
  const { application } = await registerApplication(server.database, {
    name: 'Sign-up app',
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'write'],
  });
  const { accessToken } = await issueAccessToken(server.database, {
    applicationId: application.id,
    accountId: null,
    scopes: ['read', 'write'],
  });
  return accessToken;
}

async function signUpForm(server: TestServer, fields: Record<string, string>) {
  const jar = new CookieJar();
  const page = await server.app.inject({ method: 'GET', url: '/oauth/sign_up' });
  jar.store(page);
  const response = await server.app.inject({
    method: 'POST',
    url: '/oauth/sign_up',
    headers: { ...FORM, cookie: jar.header() },
    payload: form({ csrf_token: csrfFrom(page.body), ...fields }),
  });
  return { page, response };
}

describe('REGISTRATIONS_MODE', () => {
  it('is validated', () => {
    expect(() => readConfig({ REGISTRATIONS_MODE: 'sometimes' })).toThrow(
      /REGISTRATIONS_MODE must be one of open, approval, closed, got "sometimes"/,
    );
    expect(readConfig({ REGISTRATIONS_OPEN: 'false' }).registrationsMode).toBe('closed');
    expect(readConfig({}).registrationsMode).toBe('open');
  });

  describe('closed', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({
        REGISTRATIONS_MODE: 'closed',
        INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
      });
    });
    afterAll(() => server?.close());

    it('says so in /api/v2/instance and refuses POST /api/v1/accounts and the page', async () => {
      const instance = await server.app.inject({ method: 'GET', url: '/api/v2/instance' });
      expectMastodonResponse(instance);
      expect(json(instance).registrations).toEqual({
        enabled: false,
        approval_required: false,
        message: 'This server is not accepting new accounts.',
        url: null,
      });
      const token = await appToken(server);
      const refused = await server.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          username: 'newbie',
          email: 'n@example.test',
          password: 'long enough pass',
          agreement: true,
        },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toContain('not accepting new accounts');
      expect((await server.app.inject({ method: 'GET', url: '/oauth/sign_up' })).statusCode).toBe(
        403,
      );
    });
  });

  describe('approval', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({
        REGISTRATIONS_MODE: 'approval',
        INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
      });
    });
    afterAll(() => server?.close());

    it('takes a reason, refuses sign-in until a moderator approves, then lets the token work', async () => {
      const instance = json(await server.app.inject({ method: 'GET', url: '/api/v2/instance' }));
      expect(instance.registrations).toMatchObject({ enabled: true, approval_required: true });

      const token = await appToken(server);
      const signedUp = await server.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          username: 'applicant',
          email: 'applicant@example.test',
          password: 'long enough pass',
          agreement: true,
          reason: 'I knit and want to talk about it',
        },
      });
      expect(signedUp.statusCode).toBe(200);
      const userToken = signedUp.json().access_token as string;
      const verify = () =>
        server.app.inject({
          method: 'GET',
          url: '/api/v1/accounts/verify_credentials',
          headers: { authorization: `Bearer ${userToken}` },
        });
      expect((await verify()).statusCode).toBe(401);

      const moderator = await createAccountFixture(server.database);
      await setAccountRole(server.database, {
        moderatorId: null,
        accountId: moderator.id,
        role: 'moderator',
      });
      const modHeaders = {
        authorization: `Bearer ${await tokenFor(server.database, moderator.id, ['admin:read', 'admin:write'])}`,
      };
      const pending = await server.app.inject({
        method: 'GET',
        url: '/api/v1/admin/accounts?pending=true',
        headers: modHeaders,
      });
      const [applicant] = json(pending);
      expect(applicant).toMatchObject({
        username: 'applicant',
        approved: false,
        invite_request: 'I knit and want to talk about it',
      });
      const approved = await server.app.inject({
        method: 'POST',
        url: `/api/v1/admin/accounts/${applicant.id}/approve`,
        headers: modHeaders,
      });
      expect(json(approved).approved).toBe(true);
      expect((await verify()).statusCode).toBe(200);
    });

    it('the sign-up page asks for a reason and the acceptance of the rules, then says approval is pending', async () => {
      await addInstanceRule(server.database, { moderatorId: null, text: 'Be kind to knitters' });
      const fields = {
        username: 'webapplicant',
        email: 'web@example.test',
        password: 'long enough pass',
        reason: 'Knitting',
      };
      const { page, response: unaccepted } = await signUpForm(server, fields);
      expect(page.body).toContain('Why do you want to join?');
      expect(page.body).toContain('Be kind to knitters');
      expect(unaccepted.statusCode).toBe(422);
      expect(unaccepted.body).toContain('Accept the rules to sign up');
      expect(unaccepted.body).toContain('value="webapplicant"');

      const { response: accepted } = await signUpForm(server, { ...fields, agreement: '1' });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.body).toContain('approved by its moderators');

      const jar = new CookieJar();
      // The sign-up page sets the same CSRF cookie the sign-in form checks.
      const signInPage = await server.app.inject({ method: 'GET', url: '/oauth/sign_up' });
      jar.store(signInPage);
      const signIn = await server.app.inject({
        method: 'POST',
        url: '/oauth/sign_in',
        headers: { ...FORM, cookie: jar.header() },
        payload: form({
          csrf_token: csrfFrom(signInPage.body),
          login: 'webapplicant',
          password: 'long enough pass',
        }),
      });
      expect(signIn.statusCode).toBe(403);
      expect(signIn.body).toContain('waiting for a moderator to approve');
    });
  });
});
