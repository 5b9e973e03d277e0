import { describe, expect, it } from 'vitest';
import { validationMessage } from './validation-message.js';

describe('validationMessage', () => {
  it('names a field once with every type its union allows, without the anyOf noise', () => {
    // What Ajv reports for `{"notifications": ["1"]}` against Nullable(boolean | string).
    const errors = [
      { keyword: 'type', instancePath: '/notifications', params: { type: 'boolean' } },
      { keyword: 'type', instancePath: '/notifications', params: { type: 'string' } },
      { keyword: 'anyOf', instancePath: '/notifications', params: {} },
      { keyword: 'type', instancePath: '/notifications', params: { type: 'null' } },
      { keyword: 'anyOf', instancePath: '/notifications', params: {} },
    ];
    expect(validationMessage('body', errors)).toBe(
      'body/notifications must be boolean, string or null',
    );
  });

  it('keeps the other constraints and each field of its own', () => {
    const errors = [
      { keyword: 'type', instancePath: '/duration', params: { type: 'integer' } },
      {
        keyword: 'pattern',
        instancePath: '/duration',
        params: { pattern: '^[0-9]+$' },
        message: 'must match pattern "^[0-9]+$"',
      },
      { keyword: 'type', instancePath: '/media_ids/0', params: { type: 'string' } },
      {
        keyword: 'maxLength',
        instancePath: '/title',
        params: { limit: 5 },
        message: 'must NOT have more than 5 characters',
      },
    ];
    expect(validationMessage('body', errors)).toBe(
      'body/duration must be integer, or must match pattern "^[0-9]+$"; body/media_ids/0 must be string; body/title must NOT have more than 5 characters',
    );
  });
});
