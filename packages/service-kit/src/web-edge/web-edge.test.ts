import { describe, expect, it } from 'vitest';
import { httpStatusOfDomainError } from './domain-errors.js';

describe('the domain-error → HTTP status map (one for the API and the website)', () => {
  it('answers 404 for what is missing, 403 for what the rules forbid, 422 for bad input', () => {
    expect(httpStatusOfDomainError('StatusNotFound')).toBe(404);
    expect(httpStatusOfDomainError('AccountNotFound')).toBe(404);
    expect(httpStatusOfDomainError('NotAllowed')).toBe(403);
    expect(httpStatusOfDomainError('CannotFollowSelf')).toBe(403);
    expect(httpStatusOfDomainError('EmailNotConfirmed')).toBe(403);
    expect(httpStatusOfDomainError('TextTooLong')).toBe(422);
    expect(httpStatusOfDomainError('UsernameTaken')).toBe(422);
  });
});
