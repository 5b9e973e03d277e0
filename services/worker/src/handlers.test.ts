import { describe, expect, it } from 'vitest';
import { RetryLater, waitsForDatabase } from './handlers.js';

describe('waitsForDatabase', () => {
  it('waits for an unreachable or restarting database', () => {
    expect(waitsForDatabase(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
    expect(waitsForDatabase(Object.assign(new Error('terminating'), { code: '57P01' }))).toBe(true);
    expect(waitsForDatabase(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('leaves a handler’s own retry (an e-mail refused by SMTP) to the redelivery schedule', () => {
    // The e-mail ledger counts attempts: retried in place, they would all be spent in seconds.
    expect(waitsForDatabase(new RetryLater('mention e-mail not sent (connect ECONNREFUSED)'))).toBe(
      false,
    );
    expect(waitsForDatabase(new Error('duplicate key value violates unique constraint'))).toBe(
      false,
    );
  });
});
