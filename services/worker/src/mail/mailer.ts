/**
 * Sending e-mail, with the outcome classified for the at-most-once ledger (reliability R27):
 *
 * - `sent`: the server answered 250 to the end of DATA.
 * - `rejected`: clearly not delivered — the connection failed, or the server refused the envelope
 *   or answered the message with a 4xx/5xx code. Safe to retry (4xx, network) or give up (5xx).
 * - `unknown`: the message content was handed to the server but no answer came (timeout, connection
 *   reset after DATA). The server may have accepted it (Mastodon #23198: retrying this sent up to 7
 *   copies), so the caller must never resend it automatically.
 *
 * nodemailer's own errors do not tell these apart (a socket timeout is reported as `ETIMEDOUT`/`CONN`
 * at any stage), so the message body is given as a stream and "handed over" means the SMTP client
 * started reading it, which it only does after the server accepted the DATA command (354).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { Limiter } from '@murmur/service-kit';

export interface OutgoingMail {
  /** `<...>` form; deterministic, derived from the delivery id. */
  messageId: string;
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export type SendResult =
  | { outcome: 'sent'; response: string }
  | { outcome: 'unknown'; error: string }
  | { outcome: 'rejected'; error: string; permanent: boolean };

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Where messages go, for logs (never with credentials). */
  readonly description: string;
  /**
   * Gets ready to send before the first message (opens connections); resolves with the reason when
   * the destination cannot be reached. Sending does not depend on it.
   */
  prepare?(): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** The complete RFC 5322 message and its SMTP envelope. */
export async function buildMessage(
  mail: OutgoingMail,
): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  const node = new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: mail.headers,
    date: new Date(),
  }).compile();
  const envelope = node.getEnvelope();
  const raw = await node.build();
  return { raw, envelope: { from: envelope.from || '', to: envelope.to } };
}

interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
}

export function parseSmtpUrl(url: string): SmtpTarget {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  const target: SmtpTarget = {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
  };
  if (parsed.username) {
    target.auth = {
      user: decodeURIComponent(parsed.username),
      pass: decodeURIComponent(parsed.password),
    };
  }
  return target;
}

type SmtpError = Error & { code?: string; responseCode?: number; command?: string };

type Settle = (result: SendResult & { reusable: boolean }) => void;

/** One SMTP connection, reused for several messages (MAIL FROM starts over after each DATA). */
class PooledConnection {
  readonly connection: SMTPConnection;
  closed = false;
  /** The send in progress, told when the connection fails. */
  private failCurrent: ((err: SmtpError) => void) | undefined;

  constructor(options: ConstructorParameters<typeof SMTPConnection>[0]) {
    this.connection = new SMTPConnection(options);
    const fail = (err: SmtpError) => {
      this.closed = true;
      this.failCurrent?.(err);
    };
    this.connection.on('error', fail);
    this.connection.on('end', () =>
      fail(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' })),
    );
  }

  open(auth: SmtpTarget['auth']): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.failCurrent = reject;
      this.connection.connect((connectError) => {
        if (connectError) return reject(connectError);
        // The message and the final "." go out in separate writes: without this, Nagle's algorithm
        // and the server's delayed ACK add ~40 ms to every message.
        const socket = this.connection._socket;
        if (socket) socket.setNoDelay(true);
        if (!auth) return resolve();
        this.connection.login(auth, (loginError) => (loginError ? reject(loginError) : resolve()));
      });
    }).finally(() => {
      this.failCurrent = undefined;
    });
  }

  send(
    raw: Buffer,
    envelope: { from: string; to: string[] },
  ): Promise<SendResult & { reusable: boolean }> {
    return new Promise((resolve) => {
      let settled = false;
      const settle: Settle = (result) => {
        if (settled) return;
        settled = true;
        this.failCurrent = undefined;
        resolve(result);
      };
      let handedOver = false;
      const body = new Readable({
        read() {
          handedOver = true;
          this.push(raw);
          this.push(null);
        },
      });
      // The handover state is read when the failure is reported: after an envelope error nodemailer
      // drains the body on a later tick, which must not count as a handover.
      this.failCurrent = (err) => settle({ ...classifyFailure(err, handedOver), reusable: false });
      this.connection.send(envelope, body, (err, info) => {
        if (err) {
          // An explicit refusal leaves the session usable only after RSET; start afresh instead.
          this.close();
          return settle({ ...classifyFailure(err, handedOver), reusable: false });
        }
        if (info.accepted.length === 0) {
          return settle({
            outcome: 'rejected',
            error: `recipient rejected: ${info.response}`,
            permanent: true,
            reusable: false,
          });
        }
        settle({ outcome: 'sent', response: info.response, reusable: true });
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.connection.quit();
    } catch {
      this.connection.close();
    }
  }
}

/**
 * SMTP with a small pool of reused connections (opening one costs a greeting, often delayed on
 * purpose by servers). At most `maxConnections` conversations run at once, whatever the number of
 * handlers: the others wait for a connection to come free (servers limit connections per client, and
 * a burst of new connections costs both sides more than waiting a few milliseconds). A reused
 * connection that fails before the message was handed over (the server closed it while idle) is
 * replaced by a fresh one at once; the outcome is still classified strictly.
 */
export class SmtpMailer implements Mailer {
  readonly description: string;
  private readonly target: SmtpTarget;
  private readonly idle: PooledConnection[] = [];
  private readonly conversations: Limiter;

  constructor(
    smtpUrl: string,
    private readonly timeoutMs: number,
    private readonly clientName = 'localhost',
    private readonly maxConnections = 8,
  ) {
    this.conversations = new Limiter(maxConnections);
    this.target = parseSmtpUrl(smtpUrl);
    this.description = `smtp${this.target.secure ? 's' : ''}://${this.target.host}:${this.target.port}`;
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const { raw, envelope } = await buildMessage(mail);
    return this.conversations.run(() => this.sendOnSomeConnection(raw, envelope));
  }

  private async sendOnSomeConnection(
    raw: Buffer,
    envelope: { from: string; to: string[] },
  ): Promise<SendResult> {
    let reused = this.takeIdle();
    while (reused) {
      const result = await reused.send(raw, envelope);
      if (result.outcome !== 'rejected' || !result.error.startsWith('ECONNECTION'))
        return this.release(reused, result);
      reused = this.takeIdle();
    }
    const fresh = this.newConnection();
    try {
      await fresh.open(this.target.auth);
    } catch (err) {
      fresh.close();
      return classifyFailure(err as SmtpError, false);
    }
    return this.release(fresh, await fresh.send(raw, envelope));
  }

  /**
   * Opens the pool's connections ahead of the first messages: after a (re)start there is usually a
   * backlog of e-mails, and each connection opened on demand costs a greeting while the messages
   * wait. Also tells at start-up whether the server can be reached. Idle connections close after the
   * inactivity timeout as usual.
   */
  async prepare(): Promise<{ ok: true } | { ok: false; error: string }> {
    const missing = this.maxConnections - this.idle.length;
    const results = await Promise.all(
      Array.from({ length: Math.max(0, missing) }, async () => {
        const connection = this.newConnection();
        try {
          await connection.open(this.target.auth);
        } catch (err) {
          connection.close();
          return (err as Error).message ?? String(err);
        }
        this.keepOrClose(connection, true);
        return undefined;
      }),
    );
    const error = results.find((r) => r !== undefined);
    return error === undefined ? { ok: true } : { ok: false, error };
  }

  private newConnection(): PooledConnection {
    return new PooledConnection({
      host: this.target.host,
      port: this.target.port,
      secure: this.target.secure,
      name: this.clientName,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      dnsTimeout: this.timeoutMs,
    });
  }

  /** Closes the idle connections. */
  close(): void {
    for (const c of this.idle.splice(0)) c.close();
  }

  private takeIdle(): PooledConnection | undefined {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.closed) return c;
    }
    return undefined;
  }

  private release(
    connection: PooledConnection,
    result: SendResult & { reusable: boolean },
  ): SendResult {
    this.keepOrClose(connection, result.reusable);
    const { reusable: _reusable, ...outcome } = result;
    return outcome as SendResult;
  }

  /** Keeps a usable connection for a later message, within the pool's size; closes it otherwise. */
  private keepOrClose(connection: PooledConnection, reusable: boolean): void {
    if (reusable && !connection.closed && this.idle.length < this.maxConnections)
      this.idle.push(connection);
    else connection.close();
  }
}

/** Decides whether a failed send may have delivered the message. */
export function classifyFailure(err: SmtpError, handedOver: boolean): SendResult {
  const message = `${err.code ?? 'Error'}: ${err.message}`;
  // An explicit 4xx/5xx answer means the server did not take the message, at any stage.
  if (err.responseCode && err.responseCode >= 400) {
    return { outcome: 'rejected', error: message, permanent: err.responseCode >= 500 };
  }
  if (handedOver) return { outcome: 'unknown', error: message };
  return { outcome: 'rejected', error: message, permanent: false };
}

/**
 * Development mailer (SMTP_URL unset): writes each message as `<dir>/<message id>.eml`, which any mail
 * client opens. Writing is atomic (temporary file, then rename), so a file is complete or absent.
 */
export class FileMailer implements Mailer {
  readonly description: string;

  constructor(
    private readonly dir: string,
    private readonly onWritten: (path: string) => void = () => {},
  ) {
    this.description = `files in ${dir}`;
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const { raw } = await buildMessage(mail);
    await mkdir(this.dir, { recursive: true });
    const name = mail.messageId.replace(/[^A-Za-z0-9@._-]/g, '');
    const path = join(this.dir, `${name}.eml`);
    const temporary = `${path}.tmp`;
    await writeFile(temporary, raw);
    await rename(temporary, path);
    this.onWritten(path);
    return { outcome: 'sent', response: `written to ${path}` };
  }
}
