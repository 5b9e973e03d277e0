import { describe, expect, it } from 'vitest';
import { ConfigurationError, readEnvironment, redactUrl } from './env.js';

const specs = {
  DATABASE_URL: { kind: 'url', description: 'PostgreSQL', protocols: ['postgres:', 'postgresql:'] },
  PORT: { kind: 'integer', description: 'port', default: '3000', min: 1, max: 65535 },
  DEBUG: { kind: 'boolean', description: 'debug', default: 'false' },
  SMTP_URL: { kind: 'url', description: 'smtp', optional: true },
} as const;

describe('readEnvironment', () => {
  it('applies defaults and converts types', () => {
    const env = readEnvironment(specs, { DATABASE_URL: 'postgres://db/x', DEBUG: 'yes' });
    expect(env).toEqual({ DATABASE_URL: 'postgres://db/x', PORT: 3000, DEBUG: true });
  });

  it('reports every problem at once, naming each variable', () => {
    let error: unknown;
    try {
      readEnvironment(specs, { PORT: '80a', DEBUG: 'maybe', SMTP_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/DATABASE_URL is required/);
    expect(problems.join('\n')).toMatch(/PORT must be a whole number/);
    expect(problems.join('\n')).toMatch(/DEBUG must be true or false/);
    expect(problems.join('\n')).toMatch(/SMTP_URL must be a URL/);
  });

  it('rejects out-of-range integers and wrong URL protocols', () => {
    expect(() => readEnvironment(specs, { DATABASE_URL: 'mysql://x/y', PORT: '70000' })).toThrow(
      /DATABASE_URL must use postgres: or postgresql:[\s\S]*PORT must be at most 65535/,
    );
  });

  it('treats an empty value as unset', () => {
    expect(readEnvironment(specs, { DATABASE_URL: 'postgres://a/b', PORT: '' }).PORT).toBe(3000);
  });
});

describe('redactUrl', () => {
  it('hides passwords', () => {
    expect(redactUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('postgres://u:secret@h/db')).not.toContain('secret');
  });
});
