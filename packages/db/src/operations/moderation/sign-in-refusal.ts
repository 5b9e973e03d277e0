/**
 * Why an account may not sign in or use its tokens, as a message for the person, or null. One rule
 * for the OAuth sign-in page, the password grant and the website.
 */
export interface AccountAccessState {
  suspendedAt: Date | null;
  disabledAt: Date | null;
  approved: boolean;
}

export function signInRefusal(account: AccountAccessState): string | null {
  if (account.suspendedAt !== null) {
    return 'This account has been suspended by the moderators of this server.';
  }
  if (account.disabledAt !== null) {
    return 'Sign-in to this account has been disabled by the moderators of this server.';
  }
  if (!account.approved) {
    return 'This account is waiting for a moderator to approve the sign-up. You can sign in once it is approved.';
  }
  return null;
}
