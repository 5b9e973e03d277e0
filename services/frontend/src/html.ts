/**
 * HTML templates that escape by default. `html` is a tagged template: every interpolated value is
 * escaped unless it is SafeHtml (made by `html` itself or by `trustedHtml`, which only wraps the
 * output of @murmur/text's formatter). Arrays are joined; null, undefined and false render nothing.
 */
import { escapeHtml } from '@murmur/text';

const SAFE = Symbol('SafeHtml');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
}

function safe(value: string): SafeHtml {
  return { [SAFE]: true, value };
}

export function isSafeHtml(value: unknown): value is SafeHtml {
  return (
    typeof value === 'object' && value !== null && (value as { [SAFE]?: unknown })[SAFE] === true
  );
}

export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafeHtml(value)) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return safe(out);
}

/**
 * Marks a string as HTML. Only for the output of @murmur/text's renderStatusHtml and
 * renderPlainTextHtml, which escape everything they do not produce themselves.
 */
export function trustedHtml(formatterOutput: string): SafeHtml {
  return safe(formatterOutput);
}

export function toHtmlString(value: SafeHtml): string {
  return value.value;
}
