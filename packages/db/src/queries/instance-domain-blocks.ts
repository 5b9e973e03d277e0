/**
 * The instance's domain blocks as moderators and the public read them, and the questions the
 * federation edges ask of them (is this host suspended? what does the instance refuse from it?).
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import type { DomainBlockSeverity } from '../schema/index.js';
import { selectPage, type Page } from './pagination.js';

export interface InstanceDomainBlock {
  id: string;
  domain: string;
  severity: DomainBlockSeverity;
  rejectMedia: boolean;
  rejectReports: boolean;
  obfuscate: boolean;
  publicComment: string;
  privateComment: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * SQL: the block row `block` covers `host` (a host name with its port when it has one, as
 * `accounts.domain` and the delivery ledger's `host` keep it): the same host, the same host on any
 * port, or one of its subdomains.
 */
export function domainBlockCovers(block: SQL, host: SQL): SQL {
  return sql`(${host} = ${block}.domain or split_part(${host}, ':', 1) = ${block}.domain
    or split_part(${host}, ':', 1) like '%.' || ${block}.domain)`;
}

/**
 * SQL: a suspending block covers `host`. The one rule for "this server is suspended": statements
 * that filter rows by host (the delivery ledger, the peers list) embed it, and `anyHostSuspended`
 * asks it of hosts the federation edges hold in hand.
 */
export function hostSuspended(host: SQL): SQL {
  return sql`exists (select 1 from instance_domain_blocks b where b.severity = 'suspend'
    and ${domainBlockCovers(sql`b`, host)})`;
}

/**
 * SQL: an instance domain block keeps the worker from fetching the media of accounts of `host`
 * (`reject_media`, or a suspension): the author's domain decides, not the file's host.
 */
export function mediaRejectedAt(host: SQL): SQL {
  return sql`exists (select 1 from instance_domain_blocks b
    where (b.reject_media or b.severity = 'suspend') and ${domainBlockCovers(sql`b`, host)})`;
}

const COLUMNS = sql.raw(`b.id::text as id, b.domain, b.severity, b.reject_media as "rejectMedia",
  b.reject_reports as "rejectReports", b.obfuscate, b.public_comment as "publicComment",
  b.private_comment as "privateComment", b.created_at as "createdAt", b.updated_at as "updatedAt"`);

type Row = Omit<InstanceDomainBlock, 'createdAt' | 'updatedAt'> & {
  createdAt: Date | string;
  updatedAt: Date | string;
};

function toBlock(row: Row): InstanceDomainBlock {
  return { ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) };
}

/** Newest first, by keyset pages (the admin API and the moderation page). */
export async function listInstanceDomainBlocks(
  executor: Executor,
  page: Page,
): Promise<InstanceDomainBlock[]> {
  const rows = await selectPage<Row>(
    executor,
    sql`select ${COLUMNS} from instance_domain_blocks b`,
    sql`b.id`,
    [],
    page,
  );
  return rows.map(toBlock);
}

/** Every block with a severity (not `noop`), by domain: the public list. */
export async function listPublicInstanceDomainBlocks(
  executor: Executor,
): Promise<InstanceDomainBlock[]> {
  const rows = await queryRows<Row>(
    executor,
    sql`select ${COLUMNS} from instance_domain_blocks b where b.severity <> 'noop' order by b.domain`,
  );
  return rows.map(toBlock);
}

export async function findInstanceDomainBlock(
  executor: Executor,
  id: string,
): Promise<InstanceDomainBlock | null> {
  if (!/^[0-9]{1,19}$/.test(id)) return null;
  const rows = await queryRows<Row>(
    executor,
    sql`select ${COLUMNS} from instance_domain_blocks b where b.id = ${id}`,
  );
  return rows[0] ? toBlock(rows[0]) : null;
}

/** The block of exactly this domain (as normalized when blocked), or null. */
export async function findInstanceDomainBlockByDomain(
  executor: Executor,
  domain: string,
): Promise<InstanceDomainBlock | null> {
  const rows = await queryRows<Row>(
    executor,
    sql`select ${COLUMNS} from instance_domain_blocks b where b.domain = ${domain.trim().toLowerCase()}`,
  );
  return rows[0] ? toBlock(rows[0]) : null;
}

/** What the instance does to a host: the most severe block covering it, null if none. */
export async function instanceDomainPolicy(
  executor: Executor,
  host: string,
): Promise<Pick<InstanceDomainBlock, 'severity' | 'rejectMedia' | 'rejectReports'> | null> {
  const rows = await queryRows<Pick<InstanceDomainBlock, 'severity'> & Row>(
    executor,
    sql`select b.severity, bool_or(b.reject_media) over () as "rejectMedia",
        bool_or(b.reject_reports) over () as "rejectReports"
      from instance_domain_blocks b where ${domainBlockCovers(sql`b`, sql`${host.toLowerCase()}`)}
      order by case b.severity when 'suspend' then 0 when 'silence' then 1 else 2 end limit 1`,
  );
  const row = rows[0];
  return row
    ? { severity: row.severity, rejectMedia: row.rejectMedia, rejectReports: row.rejectReports }
    : null;
}

/** True when a suspending block covers one of `hosts` (the inbox's and the outbox's check). */
export async function anyHostSuspended(
  executor: Executor,
  hosts: readonly string[],
): Promise<boolean> {
  if (hosts.length === 0) return false;
  const rows = await queryRows(
    executor,
    sql`select 1 from unnest(${sql.param(hosts.map((host) => host.toLowerCase()))}::text[])
        as h(host)
      where ${hostSuspended(sql`h.host`)} limit 1`,
  );
  return rows.length > 0;
}
