/**
 * Password hashing. bcrypt reads only the first 72 bytes of its input and would silently ignore the
 * rest, so every password is first reduced with SHA-256 (base64, 44 bytes, no NUL bytes) and the
 * digest is what bcrypt hashes. Passwords of any length and any script are then verified exactly as
 * typed. The bcrypt cost is configurable but never below 10 (OWASP ASVS).
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import { DomainError } from './errors.js';

export const MIN_BCRYPT_COST = 10;
export const DEFAULT_BCRYPT_COST = 12;
export const MIN_PASSWORD_LENGTH = 8;
/** Generous, so passphrases and password managers fit; bounded, so hashing input stays small. */
export const MAX_PASSWORD_LENGTH = 1024;

// A short list of the passwords attackers try first; a longer breached-password list can replace it.
const COMMON_PASSWORDS = new Set([
  '12345678',
  '123456789',
  '1234567890',
  'password',
  'password1',
  'password12',
  'password123',
  'qwertyuiop',
  'qwerty123',
  '11111111',
  '00000000',
  'iloveyou',
  'abcdefgh',
  'abc12345',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'welcome1',
  'letmein1',
  'trustno1',
  'admin123',
  'passw0rd',
  'superman',
  'starwars',
  'whatever',
  'computer',
  'michelle',
  'jennifer',
  '1q2w3e4r',
  '1qaz2wsx',
  'zaq12wsx',
  'qwerty12',
  'asdfghjk',
  'asdfasdf',
  'changeme',
  'internet',
  'dragon12',
  'master12',
  'monkey12',
  'mustang1',
  'shadow12',
  'access14',
  'batman12',
  'login123',
  'hello123',
  'charlie1',
  'freedom1',
  'secret12',
  '87654321',
  '12341234',
  '88888888',
  '12121212',
  '123123123',
  'q1w2e3r4',
  'aaaaaaaa',
]);

export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new DomainError(
      'InvalidPassword',
      `Password is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`,
      'password',
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new DomainError(
      'InvalidPassword',
      `Password is too long (maximum is ${MAX_PASSWORD_LENGTH} characters)`,
      'password',
    );
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new DomainError(
      'InvalidPassword',
      'This password is too common; choose one that is harder to guess',
      'password',
    );
  }
}

function prehash(password: string): string {
  return createHash('sha256').update(password.normalize('NFC'), 'utf8').digest('base64');
}

export function effectiveBcryptCost(cost: number | undefined): number {
  return Math.max(MIN_BCRYPT_COST, Math.floor(cost ?? DEFAULT_BCRYPT_COST));
}

export async function hashPassword(password: string, cost?: number): Promise<string> {
  return bcrypt.hash(prehash(password), effectiveBcryptCost(cost));
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  return bcrypt.compare(prehash(password), hash);
}

/** The cost recorded in a bcrypt hash (`$2b$12$...`). */
export function bcryptCostOf(hash: string): number {
  return Number(hash.split('$')[2]);
}

// Compared against when the account does not exist, so a miss costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(cost?: number): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-but-just-as-slow', cost);
  return dummyHash;
}
