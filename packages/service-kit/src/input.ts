/**
 * Checks on decoded request input (query, path parameters, body) that every route needs before
 * anything reads it: PostgreSQL `text` cannot hold a NUL character (a query with one fails with
 * "invalid byte sequence"), and input nested deeper than any route accepts is refused before
 * recursive code (or the stack) meets it. The walk is iterative, so no input can overflow the stack.
 */

/** Deeper than any form, query or JSON body a Mastodon client sends (`poll[options][]` is 2). */
export const MAX_INPUT_DEPTH = 32;

export type InputProblem = 'nul-character' | 'too-deep';

export const INPUT_PROBLEM_MESSAGES: Record<InputProblem, string> = {
  'nul-character': 'The request contains a NUL character, which no field accepts',
  'too-deep': `The request is nested more than ${MAX_INPUT_DEPTH} levels deep`,
};

/** The first problem found in `value` (strings, keys, arrays and objects), or null. */
export function findInputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): InputProblem | null {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    if (typeof current === 'string') {
      if (current.includes('\0')) return 'nul-character';
    } else if (typeof current === 'object' && current !== null) {
      if (next.depth >= maxDepth) return 'too-deep';
      for (const [key, child] of Object.entries(current)) {
        if (key.includes('\0')) return 'nul-character';
        pending.push({ value: child, depth: next.depth + 1 });
      }
    }
  }
  return null;
}
