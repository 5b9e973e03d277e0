/**
 * Murmur's ids: milliseconds since the epoch shifted left 16 bits, OR a 16-bit sequence (the
 * `snowflake_id_at()` SQL function). Computed here with BigInt so generated rows sort by time exactly
 * as rows created by the application do.
 */
export function snowflakeAt(epochMillis: number, sequence: number): string {
  if (!Number.isInteger(epochMillis) || epochMillis < 0)
    throw new RangeError(`bad time ${epochMillis}`);
  return ((BigInt(epochMillis) << 16n) | BigInt(sequence & 0xffff)).toString();
}

/** The millisecond an id was generated at. */
export function millisOfSnowflake(id: string): number {
  return Number(BigInt(id) >> 16n);
}
