/**
 * The streaming fan-out's statement batcher: questions asked while a statement runs go together
 * in the next one, each gets its own answer, and a failed statement fails only its own batch.
 */
import { expect, it } from 'vitest';
import { StatementBatcher } from '../src/streaming/statement-batch.js';

it('asks the waiting requests together, answers each its own, and keeps going after a failure', async () => {
  const statements: number[][] = [];
  let release: () => void = () => {};
  const batcher = new StatementBatcher<number, string>(
    async (requests) => {
      statements.push(requests);
      if (statements.length === 1) await new Promise<void>((resolve) => (release = resolve));
      if (requests.includes(13)) throw new Error('statement failed');
      return requests.map((n) => `answer ${n}`);
    },
    { statementsInFlight: 1, requestsPerStatement: 3 },
  );
  const first = batcher.ask(1);
  await new Promise((resolve) => setImmediate(resolve));
  // While the first statement runs, five more questions wait: two statements of at most three.
  const waiting = [2, 3, 4, 13, 5].map((n) => batcher.ask(n).catch((err: Error) => err.message));
  release();
  expect(await first).toBe('answer 1');
  expect(await Promise.all(waiting)).toEqual([
    'answer 2',
    'answer 3',
    'answer 4',
    'statement failed',
    'statement failed',
  ]);
  expect(statements).toEqual([[1], [2, 3, 4], [13, 5]]);
  expect(await batcher.ask(6)).toBe('answer 6');
});
