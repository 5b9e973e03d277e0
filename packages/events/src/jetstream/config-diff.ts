/** A difference between the configuration we expect and what the server reports. */
export interface ConfigMismatch {
  /** The configuration field (NATS JSON name), or `stream`/`consumer` when it does not exist at all. */
  field: string;
  expected: unknown;
  actual: unknown;
}

/** One line per mismatch, for error messages and logs. */
export function formatMismatches(mismatches: readonly ConfigMismatch[]): string {
  return mismatches
    .map(
      (m) =>
        `${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual) ?? 'nothing'}`,
    )
    .join('; ');
}

type Normalize = (value: unknown) => unknown;

/** Compares `fields` of `expected` with `actual`, after normalizing both sides per field. */
export function diffConfig(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  fields: readonly string[],
  normalizers: Record<string, Normalize> = {},
): ConfigMismatch[] {
  const out: ConfigMismatch[] = [];
  for (const field of fields) {
    const norm = normalizers[field] ?? ((v: unknown) => v);
    const e = norm(expected[field]);
    const a = norm(actual[field]);
    if (!sameValue(e, a)) out.push({ field, expected: e, actual: a });
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  return Object.is(a, b);
}

/** `undefined`, `null` and the given empty value compare equal (the server omits empty fields). */
export const orEmpty =
  (empty: unknown): Normalize =>
  (v) =>
    v === undefined || v === null ? empty : v;

/** Sorted copy of a string list; missing → []. */
export const sortedList: Normalize = (v) => (Array.isArray(v) ? [...(v as unknown[])].sort() : []);
