/**
 * HTML templates that escape by default, for every page the API (sign-in, consent) and the website
 * render. `html` is a tagged template: every interpolated value is escaped unless it is SafeHtml
 * (made by `html` itself, or by `trustedHtml` for markup that is already safe: constants, and the
 * output of @murmur/text's formatter, which escapes everything it does not produce itself). Arrays
 * are joined; null, undefined, true and false render nothing.
 */
import { escapeHtml } from '@murmur/text';

const SAFE = Symbol('SafeHtml');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
  toString(): string;
}

export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** Marks a string as markup. Only for constants and the formatter's output: never for user data. */
export function trustedHtml(markup: string): SafeHtml {
  return { [SAFE]: true, value: markup, toString: () => markup };
}

export function isSafeHtml(value: unknown): value is SafeHtml {
  return (
    typeof value === 'object' && value !== null && (value as { [SAFE]?: unknown })[SAFE] === true
  );
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafeHtml(value)) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return trustedHtml(out);
}

export function toHtmlString(value: SafeHtml): string {
  return value.value;
}
