/**
 * The pages of account recovery on the authorization server: asking for a password reset link,
 * choosing a new password with it, and confirming an e-mail address. Escaped by the `html` tag.
 */
import { html } from '@murmur/service-kit/web-edge';
import { hiddenFields, layout, type CarriedParams } from './pages.js';

export const FORGOT_PASSWORD_PATH = '/oauth/password/new';

export function forgotPasswordPage(input: {
  csrfToken: string;
  params: CarriedParams;
  email?: string;
  signInHref: string;
}): string {
  return layout(
    'Forgot your password?',
    html`<h1>Forgot your password?</h1>
      <p>Enter the e-mail address of your account: we will send you a link to choose a new password.</p>
      <form method="post" action="/oauth/password">
        <input type="hidden" name="csrf_token" value="${input.csrfToken}" />
        ${hiddenFields(input.params)}
        <label for="email">E-mail</label>
        <input
          type="email"
          id="email"
          name="email"
          value="${input.email ?? ''}"
          autocomplete="email"
          required
          autofocus
        />
        <button type="submit">Send me a link</button>
      </form>
      <p class="muted"><a href="${input.signInHref}">Back to sign in</a></p>`,
  );
}

/** The same answer whether or not the address belongs to an account. */
export function resetLinkSentPage(input: { signInHref: string }): string {
  return layout(
    'Check your e-mail',
    html`<h1>Check your e-mail</h1>
      <p role="status">
        If an account uses this address, an e-mail with a link to choose a new password is on its
        way. The link works once, within an hour.
      </p>
      <p class="muted">Nothing arrived? Look in your spam folder, or ask again in a few minutes.</p>
      <p class="muted"><a href="${input.signInHref}">Back to sign in</a></p>`,
  );
}

export function newPasswordPage(input: {
  csrfToken: string;
  token: string;
  errors: Record<string, string>;
}): string {
  const fieldError = (name: string) =>
    input.errors[name]
      ? html`<p class="field-error" id="${name}-error">${input.errors[name]}</p>`
      : null;
  const describedBy = (name: string) =>
    input.errors[name] ? `${name}-error password-hint` : 'password-hint';
  return layout(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
      <form method="post" action="/oauth/password/edit">
        <input type="hidden" name="csrf_token" value="${input.csrfToken}" />
        <input type="hidden" name="token" value="${input.token}" />
        <label for="password">New password</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="new-password"
          minlength="8"
          required
          aria-describedby="${describedBy('password')}"
        />
        <p class="muted" id="password-hint">
          At least 8 characters. Every app and browser signed in to your account is signed out.
        </p>
        ${fieldError('password')}
        <label for="password_confirmation">Repeat the new password</label>
        <input
          type="password"
          id="password_confirmation"
          name="password_confirmation"
          autocomplete="new-password"
          required
        />
        ${fieldError('password_confirmation')}
        <button type="submit">Change password</button>
      </form>`,
  );
}

/** A link that cannot be used (unknown, used, replaced by a newer one, or expired). */
export function invalidLinkPage(input: {
  message: string;
  retryHref: string;
  retry: string;
}): string {
  return layout(
    'This link does not work',
    html`<h1>This link does not work</h1>
      <p class="error" role="alert">${input.message}</p>
      <p><a href="${input.retryHref}">${input.retry}</a></p>`,
  );
}

export function donePage(input: {
  title: string;
  message: string;
  nextHref: string;
  next: string;
}): string {
  return layout(
    input.title,
    html`<h1>${input.title}</h1>
      <p role="status">${input.message}</p>
      <p><a href="${input.nextHref}">${input.next}</a></p>`,
  );
}

/** Mail scanners follow links: the address is confirmed by this form's POST, never by the GET. */
export function confirmEmailPage(input: { csrfToken: string; token: string }): string {
  return layout(
    'Confirm your e-mail address',
    html`<h1>Confirm your e-mail address</h1>
      <form method="post" action="/oauth/confirmation">
        <input type="hidden" name="csrf_token" value="${input.csrfToken}" />
        <input type="hidden" name="token" value="${input.token}" />
        <button type="submit">Confirm my address</button>
      </form>`,
  );
}
