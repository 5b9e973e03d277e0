import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './pages.js';

describe('safeReturnPath', () => {
  it.each([
    'https://evil.test',
    '//evil.test',
    '/\\evil.test',
    '/%2F%2Fevil.test',
    '/%5cevil.test',
    'javascript:alert(1)',
    '',
    '/a\nb',
  ])('refuses %j', (value) => {
    expect(safeReturnPath(value)).toBe('/');
  });

  it('keeps same-origin paths with their query', () => {
    expect(safeReturnPath('/@alice/123?max_id=4')).toBe('/@alice/123?max_id=4');
  });
});
