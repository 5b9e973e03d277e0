import { isDomainError, isTransientDatabaseError } from '@murmur/db';
import { httpStatusOfDomainError } from '@murmur/service-kit/web-edge';

/** An error with the HTTP status and a message safe to show. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The status and message to show for an error thrown by a handler. */
export function describeError(error: unknown): {
  statusCode: number;
  title: string;
  message: string;
} {
  if (error instanceof HttpError) {
    return {
      statusCode: error.statusCode,
      title: titleFor(error.statusCode),
      message: error.message,
    };
  }
  if (isDomainError(error)) {
    const statusCode = httpStatusOfDomainError(error.code);
    const message = statusCode === 404 ? 'We could not find that page.' : error.message;
    return { statusCode, title: titleFor(statusCode), message };
  }
  if (isTransientDatabaseError(error)) {
    // The database is restarting or unreachable: say so at once, and the page works again by itself.
    return {
      statusCode: 503,
      title: titleFor(503),
      message: 'Murmur cannot reach its database right now. Please try again in a few seconds.',
    };
  }
  const statusCode = (error as { statusCode?: number }).statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { statusCode, title: titleFor(statusCode), message: 'The request was not understood.' };
  }
  return {
    statusCode: 500,
    title: titleFor(500),
    message: 'Something went wrong on our side. It has been logged; please try again in a moment.',
  };
}

function titleFor(statusCode: number): string {
  switch (statusCode) {
    case 401:
      return 'Sign in needed';
    case 403:
      return 'Not allowed';
    case 404:
      return 'Not found';
    case 422:
      return 'Could not do that';
    case 500:
      return 'Something went wrong';
    case 503:
      return 'Temporarily unavailable';
    default:
      return statusCode >= 500 ? 'Something went wrong' : 'Bad request';
  }
}
