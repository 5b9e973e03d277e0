/**
 * @murmur/db/accounts: local accounts: sign-up, password sign-in and changes, profiles, password
 * reset and e-mail confirmation tokens, and finding an account by id or name (as anyone may see it).
 */
export {
  registerAccount,
  authenticate,
  changePassword,
  updateProfile,
  findAccountById,
  findAccountByUsername,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  type RegisterAccountInput,
  type ProfileChanges,
} from '../operations/accounts.js';
export type { LocalAccount } from '../operations/local-account.js';
export {
  deleteOwnAccount,
  purgeDeletedAccountsStatuses,
} from '../operations/accounts/delete-own-account.js';
export {
  requestPasswordReset,
  requestEmailConfirmation,
  findAccountTokenEmail,
  issueAccountTokenSecret,
  findAccountTokenOwner,
  resetPassword,
  confirmEmail,
  type AccountTokenEmail,
} from '../operations/account-tokens.js';
export {
  findVisibleAccountById,
  findVisibleAccountByUsername,
} from '../queries/visible-accounts.js';
export { hydrateAccounts } from '../queries/hydrate.js';
export { directoryAccounts } from '../queries/accounts.js';
export type { AccountView } from '../queries/views.js';
