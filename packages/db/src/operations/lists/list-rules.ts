/**
 * What the list use cases share: the list's view, finding one of the owner's lists, and a title's
 * validation. Lists are private to their owner: another person's list answers "not found".
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { LIST_REPLIES_POLICIES, type ListRepliesPolicy } from '../../schema/index.js';

export const MAX_LIST_TITLE_LENGTH = 256;
/** Lists per account and members per list (Mastodon limits neither by default; bounded here). */
export const MAX_LISTS_PER_ACCOUNT = 100;
export const MAX_LIST_MEMBERS = 1_000;

export interface ListView {
  id: string;
  title: string;
  repliesPolicy: ListRepliesPolicy;
  exclusive: boolean;
}

export const LIST_COLUMNS = sql`id::text as id, title, replies_policy as "repliesPolicy", exclusive`;

export function listNotFound(): DomainError {
  return new DomainError('ListNotFound', 'Record not found');
}

/** The owner's list, or ListNotFound (someone else's list included). */
export async function requireOwnList(
  executor: Executor,
  ownerId: string,
  listId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ListView> {
  if (!isSnowflakeId(listId)) throw listNotFound();
  const [list] = await queryRows<ListView>(
    executor,
    sql`select ${LIST_COLUMNS} from lists where id = ${listId} and account_id = ${ownerId}
      ${options.forUpdate ? sql`for update` : sql``}`,
  );
  if (!list) throw listNotFound();
  return list;
}

/** A title trimmed, 1 to 256 characters. */
export function validListTitle(raw: string): string {
  const title = raw.trim();
  if (title.length === 0) {
    throw new DomainError('InvalidField', "Validation failed: Title can't be blank", 'title');
  }
  if ([...title].length > MAX_LIST_TITLE_LENGTH) {
    throw new DomainError(
      'InvalidField',
      `Validation failed: Title is too long (maximum is ${MAX_LIST_TITLE_LENGTH} characters)`,
      'title',
    );
  }
  return title;
}

export function validRepliesPolicy(raw: string): ListRepliesPolicy {
  if ((LIST_REPLIES_POLICIES as readonly string[]).includes(raw)) return raw as ListRepliesPolicy;
  throw new DomainError(
    'InvalidField',
    'Validation failed: Replies policy must be followed, list or none',
    'replies_policy',
  );
}
