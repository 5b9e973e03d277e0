import { randomBytes } from 'node:crypto';
import type { Database } from '../client.js';
import { accounts } from '../schema/index.js';
import { hashPassword } from '../passwords.js';
import { createStatus, type CreateStatusInput } from '../operations/statuses/index.js';
import {
  asLocalAccount,
  LOCAL_ACCOUNT_COLUMNS,
  type LocalAccount,
} from '../operations/local-account.js';

let cheapHash: Promise<string> | undefined;

/**
 * Inserts an account with unique values (bcrypt at the minimum cost, hashed once per process, so
 * fixtures stay fast). The password of every fixture account is `correct horse battery staple`.
 */
export async function createAccountFixture(
  database: Database,
  overrides: Partial<LocalAccount> = {},
): Promise<LocalAccount> {
  cheapHash ??= hashPassword('correct horse battery staple', 10);
  const suffix = randomBytes(4).toString('hex');
  const [row] = await database.primary
    .insert(accounts)
    .values({
      username: `user_${suffix}`,
      email: `user_${suffix}@example.test`,
      passwordHash: await cheapHash,
      ...overrides,
    })
    .returning(LOCAL_ACCOUNT_COLUMNS);
  return asLocalAccount(row!);
}

export const FIXTURE_PASSWORD = 'correct horse battery staple';

export async function createStatusFixture(
  database: Database,
  input: Partial<CreateStatusInput> & { accountId: string },
) {
  return createStatus(database, { text: `Hello ${randomBytes(3).toString('hex')}`, ...input });
}
