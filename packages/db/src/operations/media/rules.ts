/** The rules every change of one's own attachment (its description, its focus, its removal) follows. */
import { sql, type SQL } from 'drizzle-orm';
import { DomainError } from '../../errors.js';

export const MAX_MEDIA_DESCRIPTION_LENGTH = 1500;

export interface Focus {
  x: number;
  y: number;
}

/** Alt text: trimmed, at most 1,500 characters; empty means none. */
export function validDescription(description: string | null | undefined): string | null {
  const text = (description ?? '').replace(/\r\n?/g, '\n').trim();
  if ([...text].length > MAX_MEDIA_DESCRIPTION_LENGTH) {
    throw new DomainError(
      'InvalidField',
      `Description is too long (maximum is ${MAX_MEDIA_DESCRIPTION_LENGTH} characters)`,
      'description',
    );
  }
  return text === '' ? null : text;
}

/** A focal point, each coordinate from -1 to 1. */
export function validFocus(focus: Focus | null | undefined): Focus {
  if (!focus) return { x: 0, y: 0 };
  const inRange = (v: number) => Number.isFinite(v) && v >= -1 && v <= 1;
  if (!inRange(focus.x) || !inRange(focus.y)) {
    throw new DomainError(
      'InvalidField',
      'Focus must be two numbers from -1.0 to 1.0, such as "0.5,-0.25"',
      'focus',
    );
  }
  return focus;
}

export function mediaNotFound(): DomainError {
  return new DomainError('MediaNotFound', 'Record not found');
}

/**
 * SQL for a `target` CTE: one's own attachment, locked for the statement's change, and whether a
 * post uses it (a posted attachment changes only through its status).
 */
export function ownMediaTarget(input: { accountId: string; mediaId: string }): SQL {
  return sql`select id, status_id is not null as attached from media_attachments
      where id = ${input.mediaId} and account_id = ${input.accountId}
      for update`;
}
