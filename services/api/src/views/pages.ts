/**
 * The authorization server's pages: sign in, sign up, consent, out-of-band code, and errors. Every
 * value is escaped by the `html` tag; the pages load nothing but our own stylesheet.
 */
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';

export const STYLESHEET_PATH = '/oauth/assets/style.css';

export const STYLESHEET = `
body{font-family:system-ui,sans-serif;background:#f4f4f6;color:#1c1c22;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.75rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #999;border-radius:.4rem;font-size:1rem}
button{margin-top:1rem;padding:.6rem 1.2rem;border:0;border-radius:.4rem;font-size:1rem;cursor:pointer;background:#5b4ce0;color:#fff}
button.secondary{background:#ddd;color:#1c1c22}
.error{color:#a00;font-weight:600}
.field-error{color:#a00;font-size:.9rem;margin:.2rem 0}
.muted{color:#666;font-size:.9rem}
code.oob{display:block;font-size:1.1rem;padding:.8rem;background:#eee;word-break:break-all;user-select:all}
ul.scopes li{margin:.2rem 0}
.actions{display:flex;gap:.8rem}
`;

export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title}</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.value;
}

/** The OAuth request carried through the sign-in and consent forms (re-validated on every POST). */
export type CarriedParams = Record<string, string>;

export function hiddenFields(params: CarriedParams): SafeHtml[] {
  return Object.entries(params).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
}

export function errorPage(input: { title: string; message: string; code?: string }): string {
  return layout(
    input.title,
    html`<h1>${input.title}</h1>
      <p class="error">${input.message}</p>
      ${input.code ? html`<p class="muted">Error: <code>${input.code}</code></p>` : null}
      <p class="muted">You can close this page and return to the application.</p>`,
  );
}

export function signInPage(input: {
  instanceTitle: string;
  csrfToken: string;
  params: CarriedParams;
  applicationName: string | null;
  login?: string;
  error?: string;
  signUpHref: string | null;
  /** The "Forgot your password?" page, carrying the authorization request. */
  forgotPasswordHref?: string;
}): string {
  return layout(
    `Sign in to ${input.instanceTitle}`,
    html`<h1>Sign in to ${input.instanceTitle}</h1>
      ${input.applicationName ? html`<p>to continue to <strong>${input.applicationName}</strong></p>` : null}
      ${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
      <form method="post" action="/oauth/sign_in">
        <input type="hidden" name="csrf_token" value="${input.csrfToken}" />
        ${hiddenFields(input.params)}
        <label for="login">Username or e-mail</label>
        <input
          type="text"
          id="login"
          name="login"
          value="${input.login ?? ''}"
          autocomplete="username"
          required
          autofocus
        />
        <label for="password">Password</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="current-password"
          required
        />
        <button type="submit">Sign in</button>
      </form>
      ${input.forgotPasswordHref ? html`<p class="muted"><a href="${input.forgotPasswordHref}">Forgot your password?</a></p>` : null}
      ${input.signUpHref ? html`<p class="muted">No account yet? <a href="${input.signUpHref}">Sign up</a></p>` : null}`,
  );
}

export function signUpPage(input: {
  instanceTitle: string;
  csrfToken: string;
  params: CarriedParams;
  values: { username?: string; email?: string; reason?: string };
  errors: Record<string, string>;
  signInHref: string;
  /** The instance's rules: accepting them is part of signing up. */
  rules: { id: string; text: string; hint: string }[];
  /** REGISTRATIONS_MODE=approval: a moderator approves each sign-up, given a reason. */
  approvalRequired: boolean;
}): string {
  const fieldError = (name: string) =>
    input.errors[name]
      ? html`<p class="field-error" id="${name}-error">${input.errors[name]}</p>`
      : null;
  return layout(
    `Sign up for ${input.instanceTitle}`,
    html`<h1>Sign up for ${input.instanceTitle}</h1>
      ${input.errors.form ? html`<p class="error" role="alert">${input.errors.form}</p>` : null}
      <form method="post" action="/oauth/sign_up">
        <input type="hidden" name="csrf_token" value="${input.csrfToken}" />
        ${hiddenFields(input.params)}
        <label for="username">Username</label>
        <input
          type="text"
          id="username"
          name="username"
          value="${input.values.username ?? ''}"
          autocomplete="username"
          required
        />
        ${fieldError('username')}
        <label for="email">E-mail</label>
        <input
          type="email"
          id="email"
          name="email"
          value="${input.values.email ?? ''}"
          autocomplete="email"
          required
        />
        ${fieldError('email')}
        <label for="password">Password</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="new-password"
          minlength="8"
          required
        />
        <p class="muted">At least 8 characters; long passphrases welcome.</p>
        ${fieldError('password')}
        ${
          input.approvalRequired
            ? html`<label for="reason">Why do you want to join?</label>
              <p class="muted" id="reason-hint">
                A moderator reads this and approves each sign-up before you can sign in.
              </p>
              <textarea id="reason" name="reason" rows="3" maxlength="1000" aria-describedby="reason-hint">
${input.values.reason ?? ''}</textarea
              >
              ${fieldError('reason')}`
            : null
        }
        ${
          input.rules.length > 0
            ? html`<fieldset>
              <legend>The rules of ${input.instanceTitle}</legend>
              <ol>
                ${input.rules.map(
                  (rule) =>
                    html`<li>${rule.text}${rule.hint ? html` <span class="muted">(${rule.hint})</span>` : null}</li>`,
                )}
              </ol>
              <input type="checkbox" id="agreement" name="agreement" value="1" required />
              <label for="agreement">I accept these rules</label>
              ${fieldError('agreement')}
            </fieldset>`
            : null
        }
        <button type="submit">Sign up</button>
      </form>
      <p class="muted">Already have an account? <a href="${input.signInHref}">Sign in</a></p>`,
  );
}

/** After a sign-up that waits for a moderator's approval. */
export function approvalPendingPage(input: { instanceTitle: string; username: string }): string {
  return layout(
    'Sign-up received',
    html`<h1>Thank you, @${input.username}</h1>
      <p>
        Sign-ups to ${input.instanceTitle} are approved by its moderators. You can sign in once your
        account is approved.
      </p>`,
  );
}

export function consentPage(input: {
  csrfToken: string;
  params: CarriedParams;
  application: { name: string; website: string | null };
  username: string;
  scopes: string[];
  redirectTarget: string;
  switchAccountHref: string;
}): string {
  return layout(
    `Authorize ${input.application.name}`,
    html`<h1>Authorize <strong>${input.application.name}</strong>?</h1>
      <p>
        Signed in as <strong>@${input.username}</strong>.
        <a href="${input.switchAccountHref}">Not you?</a>
      </p>
      ${input.application.website ? html`<p class="muted">Website given by the app (not verified): ${input.application.website}</p>` : null}
      <p>This application asks for:</p>
      <ul class="scopes">
        ${input.scopes.map((s) => html`<li><code>${s}</code></li>`)}
      </ul>
      <p class="muted">After approval you will be sent to: <code>${input.redirectTarget}</code></p>
      <form method="post" action="/oauth/authorize">
        <input type="hidden" name="csrf_token" value="${input.csrfToken}" />
        ${hiddenFields(input.params)}
        <div class="actions">
          <button type="submit" name="decision" value="approve">Authorize</button>
          <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
        </div>
      </form>`,
  );
}

export function outOfBandPage(input: { applicationName: string; code: string }): string {
  return layout(
    'Authorization code',
    html`<h1>Authorization code</h1>
      <p>Copy this code and paste it into <strong>${input.applicationName}</strong>:</p>
      <code class="oob">${input.code}</code>
      <p class="muted">It works once, within a few minutes. Do not share it with anyone else.</p>`,
  );
}
