/** The smallest id that could have been generated at `date` (for "since a time" queries). */
export function snowflakeFromDate(date: Date): string {
  return (BigInt(date.getTime()) << 16n).toString();
}

/** When an id was generated. */
export function dateFromSnowflake(id: string): Date {
  return new Date(Number(BigInt(id) >> 16n));
}
