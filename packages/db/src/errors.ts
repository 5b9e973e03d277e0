/**
 * The rules the operations enforce, as typed errors. Services map `code` to an HTTP answer; the
 * message is written for a person and safe to show.
 */
export type DomainErrorCode =
  | 'UsernameTaken'
  | 'EmailTaken'
  | 'InvalidUsername'
  | 'InvalidEmail'
  | 'InvalidPassword'
  | 'TextTooLong'
  | 'TextEmpty'
  | 'InvalidField'
  | 'AccountNotFound'
  | 'StatusNotFound'
  | 'NotificationNotFound'
  | 'PushSubscriptionNotFound'
  | 'MediaNotFound'
  | 'AnnouncementNotFound'
  | 'ListNotFound'
  | 'ConversationNotFound'
  | 'FilterNotFound'
  | 'AnnualReportNotFound'
  | 'NotAllowed'
  | 'CannotFollowSelf'
  | 'ApplicationNotFound'
  | 'InvalidGrant'
  | 'InvalidScope'
  | 'InvalidClient'
  | 'InvalidRedirectUri'
  | 'InvalidAccountToken'
  | 'EmailNotConfirmed'
  | 'ReportNotFound'
  | 'RuleNotFound'
  | 'DomainBlockNotFound'
  | 'DomainAlreadyBlocked';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field the error is about, so forms can show it next to the field. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
