/**
 * murmurctl's commands, as a function of the arguments: what the operator types, what is printed,
 * the exit code. The entry point (`murmurctl.ts`) only connects to the database and exits.
 *
 * Exit codes: 0 done, 1 refused (no such account, invalid value, nothing to undo...), 2 the command
 * line is wrong (usage printed), 3 the database could not be reached or the configuration is wrong.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isDomainError, type Database } from '@murmur/db';
import {
  ACCOUNT_ROLES,
  addInstanceRule,
  blockInstanceDomain,
  changeInstanceDomainBlock,
  DOMAIN_BLOCK_SEVERITIES,
  findInstanceDomainBlockByDomain,
  listInstanceDomainBlocks,
  unblockInstanceDomain,
  type DomainBlockOptions,
  isAccountRole,
  listInstanceRules,
  removeInstanceRule,
  reviewSignUp,
  setAccountRole,
  takeAccountAction,
} from '@murmur/db/moderation';
import {
  activeAnnouncements,
  publishAnnouncement,
  withdrawAnnouncement,
} from '@murmur/db/announcements';
import { findAccountByUsername, registerAccount, type LocalAccount } from '@murmur/db/accounts';

export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CommandContext extends CommandIo {
  database: Database;
  /** bcrypt cost of the passwords `accounts create` makes (the API's BCRYPT_COST). */
  bcryptCost: number;
  /** This server's host (PUBLIC_URL's), which `domains block` refuses. */
  localDomain: string;
}

export const USAGE = `Usage: pnpm murmurctl <command> [options]

Accounts
  accounts role <username> <${ACCOUNT_ROLES.join('|')}>
      Give an account a role. Moderators see reports and moderate users; admins also grant the
      moderator role; the owner can do everything.
  accounts create <username> --email <address> [--role <role>]
      Create an account and print its generated password (shown once: change it after signing in).
  accounts suspend <username> [--note <text>]
      Suspend: its tokens and sessions stop at once, its profile and posts disappear, it cannot sign in.
  accounts unsuspend <username> [--note <text>]
      Undo a suspension: everything comes back.
  accounts approve <username>
      Approve a sign-up waiting for approval (REGISTRATIONS_MODE=approval).

Instance rules (shown at sign-up, in /api/v1/instance/rules, cited by reports)
  rules list
  rules add <text> [--hint <text>]
  rules remove <id>

Instance domain blocks (other servers, for everyone here; subdomains included)
  domains list
  domains block <domain> [--severity silence|suspend|noop] [--reject-media] [--reject-reports]
                [--obfuscate] [--public-comment <text>] [--private-comment <text>]
      silence (default): its accounts are limited (out of public timelines, their notifications
      filtered). suspend: its activities are refused, nothing is sent to it, follows with it end,
      its accounts are hidden. noop: only the options.
  domains change <domain> [the same options]
  domains unblock <domain>
      Lift the block: its accounts are restored (follows it ended stay ended).

Announcements (shown by apps to everyone, with reactions)
  announcements list
  announcements add <text> [--starts-at <time>] [--ends-at <time>] [--all-day]
      Times as ISO 8601 (2026-12-24T18:00:00Z, or a date with --all-day).
  announcements remove <id>

Web Push
  vapid generate
      Print a new VAPID key pair (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY) for the api and the worker.
      Changing the pair makes every app subscribe again. Needs no database.

Options
  -h, --help   Show this help

Reads DATABASE_URL like the services. Every change is written to the audit log (moderator: the
command line). Exit codes: 0 done, 1 refused, 2 wrong command line, 3 database unavailable.`;

class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(message);
}

async function requireAccountNamed(
  context: CommandContext,
  username: string,
): Promise<LocalAccount> {
  const account = await findAccountByUsername(context.database.primary, username.replace(/^@/, ''));
  if (!account) throw new RefusedError(`No account named "${username}".`);
  return account;
}

class RefusedError extends Error {}

function generatedPassword(): string {
  // 144 bits, URL-safe: easy to copy from a terminal.
  return randomBytes(18).toString('base64url');
}

async function accountsCommand(context: CommandContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      note: { type: 'string' },
    },
  });
  const [action, username, ...rest] = positionals;
  if (!action) usage('accounts: which action? (role, create, suspend, unsuspend, approve)');
  if (!username) usage(`accounts ${action}: which username?`);
  switch (action) {
    case 'role': {
      const role = rest[0];
      if (!role || rest.length > 1) usage('accounts role <username> <role>');
      if (!isAccountRole(role)) {
        usage(`"${role}" is not a role; one of: ${ACCOUNT_ROLES.join(', ')}`);
      }
      const account = await requireAccountNamed(context, username);
      const { previousRole } = await setAccountRole(context.database, {
        moderatorId: null,
        accountId: account.id,
        role,
      });
      context.out(
        previousRole === role
          ? `${account.username} already has the role ${role}.`
          : `${account.username}: ${previousRole} → ${role}.`,
      );
      return;
    }
    case 'create': {
      if (rest.length > 0) usage('accounts create <username> --email <address> [--role <role>]');
      if (!values.email) usage('accounts create: --email <address> is required');
      const role = values.role ?? 'user';
      if (!isAccountRole(role)) {
        usage(`"${role}" is not a role; one of: ${ACCOUNT_ROLES.join(', ')}`);
      }
      const password = generatedPassword();
      const account = await registerAccount(
        context.database,
        { username, email: values.email, password },
        { bcryptCost: context.bcryptCost },
      );
      if (role !== 'user') {
        await setAccountRole(context.database, { moderatorId: null, accountId: account.id, role });
      }
      context.out(`Created ${account.username} (id ${account.id}, role ${role}).`);
      context.out(`Password: ${password}`);
      context.out('It is shown only this once.');
      return;
    }
    case 'suspend':
    case 'unsuspend': {
      if (rest.length > 0) usage(`accounts ${action} <username> [--note <text>]`);
      const account = await requireAccountNamed(context, username);
      const already = (account.suspendedAt !== null) === (action === 'suspend');
      await takeAccountAction(context.database, {
        moderatorId: null,
        accountId: account.id,
        type: action,
        text: values.note ?? 'murmurctl',
      });
      context.out(
        already
          ? `${account.username} was already ${action}ed.`
          : `${account.username} is ${action}ed.`,
      );
      return;
    }
    case 'approve': {
      const account = await requireAccountNamed(context, username);
      await reviewSignUp(context.database, {
        moderatorId: null,
        accountId: account.id,
        decision: 'approve',
      });
      context.out(`${account.username} is approved and can sign in.`);
      return;
    }
    default:
      usage(`accounts: unknown action "${action}"`);
  }
}

async function rulesCommand(context: CommandContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { hint: { type: 'string' } },
  });
  const [action, ...rest] = positionals;
  switch (action) {
    case 'list': {
      const rules = await listInstanceRules(context.database.primary);
      if (rules.length === 0) context.out('No rules yet.');
      rules.forEach((rule, index) => {
        context.out(`${index + 1}. [${rule.id}] ${rule.text}${rule.hint ? ` — ${rule.hint}` : ''}`);
      });
      return;
    }
    case 'add': {
      if (rest.length !== 1) usage('rules add "<text>" [--hint "<text>"] (quote the text)');
      const rule = await addInstanceRule(context.database, {
        moderatorId: null,
        text: rest[0]!,
        hint: values.hint,
      });
      context.out(`Added rule ${rule.id}: ${rule.text}`);
      return;
    }
    case 'remove': {
      if (rest.length !== 1) usage('rules remove <id>');
      await removeInstanceRule(context.database, { moderatorId: null, ruleId: rest[0]! });
      context.out(`Removed rule ${rest[0]}.`);
      return;
    }
    default:
      usage(
        action ? `rules: unknown action "${action}"` : 'rules: which action? (list, add, remove)',
      );
  }
}

const DOMAIN_OPTIONS = {
  severity: { type: 'string' },
  'reject-media': { type: 'boolean' },
  'reject-reports': { type: 'boolean' },
  obfuscate: { type: 'boolean' },
  'public-comment': { type: 'string' },
  'private-comment': { type: 'string' },
} as const;

async function domainsCommand(context: CommandContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: DOMAIN_OPTIONS,
  });
  const [action, domain, ...rest] = positionals;
  const severity = values.severity;
  if (
    severity !== undefined &&
    !(DOMAIN_BLOCK_SEVERITIES as readonly string[]).includes(severity)
  ) {
    usage(`--severity: one of ${DOMAIN_BLOCK_SEVERITIES.join(', ')}`);
  }
  const options: DomainBlockOptions = {
    ...(severity ? { severity: severity as DomainBlockOptions['severity'] } : {}),
    ...(values['reject-media'] ? { rejectMedia: true } : {}),
    ...(values['reject-reports'] ? { rejectReports: true } : {}),
    ...(values.obfuscate ? { obfuscate: true } : {}),
    ...(values['public-comment'] !== undefined ? { publicComment: values['public-comment'] } : {}),
    ...(values['private-comment'] !== undefined
      ? { privateComment: values['private-comment'] }
      : {}),
  };
  if (action === 'list') {
    const blocks = await listInstanceDomainBlocks(context.database.primary, { limit: 200 });
    if (blocks.length === 0) context.out('No blocked servers.');
    for (const block of blocks) {
      const flags = [
        block.rejectMedia && 'reject media',
        block.rejectReports && 'reject reports',
        block.obfuscate && 'obfuscated',
      ].filter(Boolean);
      context.out(
        `${block.domain}: ${[block.severity, ...flags].join(', ')}${block.publicComment ? ` — ${block.publicComment}` : ''}`,
      );
    }
    return;
  }
  if (action !== 'block' && action !== 'change' && action !== 'unblock') {
    usage(
      action
        ? `domains: unknown action "${action}"`
        : 'domains: which action? (list, block, change, unblock)',
    );
  }
  if (!domain || rest.length > 0) usage(`domains ${action} <domain> [options]`);
  if (action === 'block') {
    const block = await blockInstanceDomain(context.database, {
      moderatorId: null,
      domain,
      localDomain: context.localDomain,
      ...options,
    });
    context.out(`${block.domain} is blocked (${options.severity ?? 'silence'}).`);
    return;
  }
  const existing = await findInstanceDomainBlockByDomain(context.database.primary, domain);
  if (!existing) throw new RefusedError(`${domain} is not blocked (see "domains list").`);
  if (action === 'change') {
    await changeInstanceDomainBlock(context.database, {
      moderatorId: null,
      id: existing.id,
      ...options,
    });
    context.out(`${existing.domain}: the block is changed.`);
  } else {
    await unblockInstanceDomain(context.database, { moderatorId: null, id: existing.id });
    context.out(`${existing.domain} is no longer blocked.`);
  }
}

function parseTime(value: string | undefined, option: string): Date | null {
  if (value === undefined) return null;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) usage(`${option}: "${value}" is not a time (ISO 8601)`);
  return time;
}

async function announcementsCommand(context: CommandContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'starts-at': { type: 'string' },
      'ends-at': { type: 'string' },
      'all-day': { type: 'boolean' },
    },
  });
  const [action, ...rest] = positionals;
  switch (action) {
    case 'list': {
      const found = await activeAnnouncements(context.database.primary, null);
      if (found.length === 0) context.out('No announcements.');
      for (const announcement of found) {
        const period = [announcement.startsAt, announcement.endsAt]
          .map((time) => time?.toISOString() ?? '…')
          .join(' → ');
        context.out(`[${announcement.id}] (${period}) ${announcement.text}`);
      }
      return;
    }
    case 'add': {
      if (rest.length !== 1)
        usage('announcements add "<text>" [--ends-at <time>] (quote the text)');
      const { id } = await publishAnnouncement(context.database, {
        text: rest[0]!,
        startsAt: parseTime(values['starts-at'], '--starts-at'),
        endsAt: parseTime(values['ends-at'], '--ends-at'),
        allDay: values['all-day'] ?? false,
      });
      context.out(`Published announcement ${id}.`);
      return;
    }
    case 'remove': {
      if (rest.length !== 1) usage('announcements remove <id>');
      await withdrawAnnouncement(context.database, rest[0]!);
      context.out(`Removed announcement ${rest[0]}.`);
      return;
    }
    default:
      usage(
        action
          ? `announcements: unknown action "${action}"`
          : 'announcements: which action? (list, add, remove)',
      );
  }
}

/** A VAPID key pair (P-256), as Web Push wants it: the public point and the private scalar, base64url. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  if (!pub.x || !pub.y || !priv.d) throw new Error('the P-256 key has no coordinates');
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(pub.x, 'base64url'),
    Buffer.from(pub.y, 'base64url'),
  ]);
  return { publicKey: point.toString('base64url'), privateKey: priv.d };
}

/** Runs one command line; returns the exit code. `connect` is called only when a command needs it. */
export async function runMurmurctl(
  argv: readonly string[],
  io: CommandIo,
  connect: () => Omit<CommandContext, keyof CommandIo>,
): Promise<number> {
  const [group, ...args] = argv;
  if (!group || group === 'help' || argv.includes('--help') || argv.includes('-h')) {
    (group ? io.out : io.err)(USAGE);
    return group ? EXIT.ok : EXIT.usage;
  }
  if (group === 'vapid') {
    if (args.length !== 1 || args[0] !== 'generate') {
      io.err('murmurctl: vapid generate (the only vapid command)');
      return EXIT.usage;
    }
    const keys = generateVapidKeys();
    io.out(`VAPID_PUBLIC_KEY=${keys.publicKey}`);
    io.out(`VAPID_PRIVATE_KEY=${keys.privateKey}`);
    return EXIT.ok;
  }
  if (!['accounts', 'rules', 'announcements', 'domains'].includes(group)) {
    io.err(`murmurctl: unknown command "${group}"`);
    io.err('Run "pnpm murmurctl --help" for the commands.');
    return EXIT.usage;
  }
  const context: CommandContext = { ...io, ...connect() };
  try {
    if (group === 'accounts') await accountsCommand(context, args);
    else if (group === 'rules') await rulesCommand(context, args);
    else if (group === 'domains') await domainsCommand(context, args);
    else await announcementsCommand(context, args);
    return EXIT.ok;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`murmurctl: ${(error as Error).message}`);
      io.err('Run "pnpm murmurctl --help" for the commands.');
      return EXIT.usage;
    }
    if (error instanceof RefusedError || isDomainError(error)) {
      const message = isDomainError(error, 'RuleNotFound')
        ? 'No rule with that id (see "rules list").'
        : isDomainError(error, 'AnnouncementNotFound')
          ? 'No announcement with that id (see "announcements list").'
          : (error as Error).message;
      io.err(`murmurctl: ${message}`);
      return EXIT.refused;
    }
    throw error;
  }
}
