const MAX_BIGINT = '9223372036854775807';

/** True for a string that can be one of our ids: digits only, within PostgreSQL's bigint range. */
export function isSnowflakeId(value: unknown): value is string {
  // Nineteen digits compare as text in numeric order; no BigInt per call (the streaming fan-out
  // checks a token id per socket per event).
  return (
    typeof value === 'string' &&
    /^\d{1,19}$/.test(value) &&
    (value.length < MAX_BIGINT.length || value <= MAX_BIGINT)
  );
}

/** The smallest id that could have been generated at `date` (for "since a time" queries). */
export function snowflakeFromDate(date: Date): string {
  return (BigInt(date.getTime()) << 16n).toString();
}
