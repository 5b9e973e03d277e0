/**
 * What a property test that found a 5xx leaves behind: the whole request (nothing cut short), the
 * answer, what the server logged meanwhile (the error and its stack), and how fast-check replays the
 * input. One JSON file per failure under the OS temporary directory; CI logs only carry its path and
 * the replay line, which stay short whatever the input was.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body exactly as sent, or undefined when none was. */
  payload: string | undefined;
}

export interface FailureReport {
  /** Which property (here: `METHOD /path/{template}` of the OpenAPI document). */
  property: string;
  /** `fc.check(property, { seed, path })` with these regenerates the input. */
  seed: number;
  path: string;
  /** The shell command that replays it. */
  replay: string;
  /** The generated input, before encoding. */
  input: unknown;
  request: SentRequest;
  response?: { statusCode: number; headers: Record<string, unknown>; body: string };
  /** An exception of the property itself (the request could not be sent or read). */
  thrown?: { name: string; message: string; stack?: string };
  /** The server's log lines written while the request ran, parsed where they are JSON. */
  serverLog: unknown[];
}

let directory: string | undefined;
let written = 0;

/** Writes the report and returns its path. */
export function writeFailureReport(report: FailureReport): string {
  directory ??= mkdtempSync(join(tmpdir(), 'murmur-fuzz-'));
  const file = join(directory, `failure-${++written}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** Log lines as objects, so that a stack reads as one field of the report. */
export function parsedLogLines(lines: string[]): unknown[] {
  return lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return line;
    }
  });
}
