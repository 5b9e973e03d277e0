/**
 * A tiny HTML template tag that escapes every interpolated value, unless the value is already
 * trusted markup (the result of another `html` template, or explicitly wrapped in `raw()`). Arrays
 * are rendered item by item; null, undefined and false render nothing.
 */
import { escapeHtml } from '@murmur/text';

const TRUSTED = Symbol('trusted-html');

export interface TrustedHtml {
  readonly [TRUSTED]: true;
  readonly value: string;
  toString(): string;
}

/** Marks a string as markup. Only for constants and output of `html`: never for user data. */
export function raw(value: string): TrustedHtml {
  return { [TRUSTED]: true, value, toString: () => value };
}

function isTrusted(value: unknown): value is TrustedHtml {
  return (
    typeof value === 'object' && value !== null && (value as Partial<TrustedHtml>)[TRUSTED] === true
  );
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (isTrusted(value)) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): TrustedHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return raw(out);
}
