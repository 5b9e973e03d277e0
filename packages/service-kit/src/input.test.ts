import { describe, expect, it } from 'vitest';
import { findInputProblem, MAX_INPUT_DEPTH } from './input.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value };
  return value;
}

describe('findInputProblem', () => {
  it('accepts ordinary input', () => {
    expect(findInputProblem({ status: 'hi', media_ids: ['1'], poll: { options: ['a'] } })).toBe(
      null,
    );
    expect(findInputProblem(undefined)).toBe(null);
    expect(findInputProblem(nested(MAX_INPUT_DEPTH))).toBe(null);
  });

  it('finds a NUL character in a value, a key or an array item', () => {
    expect(findInputProblem({ q: 'a\0b' })).toBe('nul-character');
    expect(findInputProblem({ 'a\0': 'b' })).toBe('nul-character');
    expect(findInputProblem({ types: ['mention', '\0'] })).toBe('nul-character');
  });

  it('refuses deep nesting without recursion', () => {
    expect(findInputProblem(nested(MAX_INPUT_DEPTH + 1))).toBe('too-deep');
    expect(findInputProblem(nested(200_000))).toBe('too-deep');
  });
});
