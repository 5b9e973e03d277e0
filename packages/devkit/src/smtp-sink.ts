/**
 * A real SMTP server for tests, benchmarks and checks: it accepts every message and records it. It
 * survives clients that vanish mid-conversation (a worker killed with SIGKILL), and can answer the
 * final "250" late, after the message was received, to reproduce the timeout that made other servers
 * send duplicate emails.
 */
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';
import { freePort } from './net.js';

export interface ReceivedMail {
  raw: string;
  /** Unfolded headers by lower-cased name (first occurrence). */
  headers: Record<string, string>;
  envelopeTo: string[];
  /** performance.now() when the message was complete. */
  receivedAt: number;
  /** Date.now() at the same moment, to compare with database timestamps. */
  receivedAtEpochMs: number;
}

export interface SmtpSink {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** From now on, answer the final 250 this long after each message (it is stored at once). */
  setReplyDelay(ms: number): void;
  /** Stop listening (connections are refused) until `acceptConnections()`; same port. */
  refuseConnections(): Promise<void>;
  acceptConnections(): Promise<void>;
  close(): Promise<void>;
}

export function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    headers[line.slice(0, i).toLowerCase()] ??= line.slice(i + 1).trim();
  }
  return headers;
}

export async function startSmtpSink(options: { replyDelayMs?: number } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let replyDelayMs = options.replyDelayMs ?? 0;
  /** Stored messages whose late 250 is still to come. */
  const lateReplies = new Map<NodeJS.Timeout, () => void>();
  const createServer = () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      // Refusing connections (below) must not wait for slow conversations to end.
      closeTimeout: 1_000,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          received.push({
            raw,
            headers: parseHeaders(raw),
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            receivedAt: performance.now(),
            receivedAtEpochMs: Date.now(),
          });
          if (!replyDelayMs) return callback();
          const timer = setTimeout(() => {
            lateReplies.delete(timer);
            callback();
          }, replyDelayMs);
          lateReplies.set(timer, callback);
        });
      },
    });
    // A client that disappears mid-conversation resets its connection; not the sink's failure.
    server.on('error', () => {});
    return server;
  };
  const port = await freePort();
  const listen = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  let server: SMTPServer | undefined = await listen();
  const stopListening = async () => {
    // A message the sink stored gets its 250 now: closing would answer it 421, and the client would
    // rightly send it again (a server that says 421 has not taken the message).
    for (const [timer, reply] of lateReplies) {
      clearTimeout(timer);
      reply();
    }
    lateReplies.clear();
    const closing = server;
    server = undefined;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    setReplyDelay(ms) {
      replyDelayMs = ms;
    },
    refuseConnections: stopListening,
    async acceptConnections() {
      server ??= await listen();
    },
    close: stopListening,
  };
}
