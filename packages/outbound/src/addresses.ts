/**
 * Which IP addresses an outgoing request may reach. Pure: no I/O, so every refusal is unit-tested.
 *
 * Everything that is not a globally routed unicast address is forbidden unless the operator
 * allowed it (ALLOWED_PRIVATE_ADDRESSES, Mastodon's name): loopback, private, link-local,
 * unique-local, carrier-grade NAT, multicast, unspecified, documentation and reserved ranges, and the
 * IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by
 * the IPv4 address inside them.
 */
import { BlockList, isIP } from 'node:net';

export class BlockedDestinationError extends Error {
  override name = 'BlockedDestinationError';
}

const FORBIDDEN_IPV4 = [
  '0.0.0.0/8', // "this network", includes the unspecified address
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local (cloud metadata services live here)
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, includes the broadcast address
] as const;

const FORBIDDEN_IPV6 = [
  '::/128', // unspecified
  '::1/128', // loopback
  '100::/64', // discard
  '2001:db8::/32', // documentation
  'fc00::/7', // unique-local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated, still routed inside some networks)
  'ff00::/8', // multicast
] as const;

function cidrParts(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText, ...rest] = cidr.trim().split('/');
  const version = isIP(address);
  const prefix = prefixText === undefined ? (version === 6 ? 128 : 32) : Number(prefixText);
  if (
    version === 0 ||
    rest.length > 0 ||
    (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
    prefix > (version === 6 ? 128 : 32)
  ) {
    throw new Error(
      `"${cidr}" is not an IP address or CIDR range (examples: 127.0.0.0/8, 10.1.2.3, ::1/128)`,
    );
  }
  return { address, prefix, family: version === 6 ? 'ipv6' : 'ipv4' };
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { address, prefix, family } = cidrParts(cidr);
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/**
 * Parses ALLOWED_PRIVATE_ADDRESSES ("127.0.0.0/8,::1/128"; a bare address means just it).
 * Throws a message naming the bad entry.
 */
export function parseAllowedPrivateAddresses(value: string | undefined): string[] {
  if (value === undefined) return [];
  const entries = value
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    try {
      cidrParts(entry);
    } catch (error) {
      throw new Error(`ALLOWED_PRIVATE_ADDRESSES: ${(error as Error).message}`, { cause: error });
    }
  }
  return entries;
}

const forbiddenV4 = blockListOf(FORBIDDEN_IPV4);
const forbiddenV6 = blockListOf(FORBIDDEN_IPV6);

/** Strips the brackets URLs put around IPv6 literals and a zone index. */
export function bareAddress(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return unbracketed.split('%')[0] ?? unbracketed;
}

function ipv6Groups(address: string): number[] {
  const url = new URL(`http://[${address}]/`); // canonical, compressed, lower-case form
  const canonical = url.hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The IPv4 address an IPv6 address stands for, when it embeds one. */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const zeroUpTo = (count: number): boolean => groups.slice(0, count).every((group) => group === 0);
  if (zeroUpTo(5) && g5 === 0xffff) return ipv4FromGroups(g6, g7); // ::ffff:a.b.c.d (mapped)
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return ipv4FromGroups(g6, g7); // ::ffff:0:a.b.c.d
  if (zeroUpTo(6) && (g6 !== 0 || g7 > 1)) return ipv4FromGroups(g6, g7); // ::a.b.c.d (compatible)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return ipv4FromGroups(g6, g7); // 64:ff9b::a.b.c.d (NAT64)
  }
  if (g0 === 0x2002) return ipv4FromGroups(g1 ?? 0, g2 ?? 0); // 2002:aabb:ccdd::/48 (6to4)
  return undefined;
}

/** A predicate over addresses, built once from the operator's allowed private ranges. */
export class AddressPolicy {
  readonly #allowed: BlockList;

  constructor(allowedPrivateAddresses: readonly string[]) {
    this.#allowed = blockListOf(allowedPrivateAddresses);
  }

  /** Whether the operator explicitly allowed this address (the only addresses plain http may reach). */
  isAllowedPrivate(address: string): boolean {
    const bare = bareAddress(address);
    const family = isIP(bare);
    if (family === 0) return false;
    if (this.#allowed.check(bare, family === 6 ? 'ipv6' : 'ipv4')) return true;
    const inner = family === 6 ? embeddedIpv4(bare) : undefined;
    return inner !== undefined && this.#allowed.check(inner, 'ipv4');
  }

  /** Whether an address is not a globally routed unicast address. */
  static isNonPublic(address: string): boolean {
    const bare = bareAddress(address);
    const family = isIP(bare);
    if (family === 4) return forbiddenV4.check(bare, 'ipv4');
    if (family !== 6) return true;
    const inner = embeddedIpv4(bare);
    if (inner !== undefined) return forbiddenV4.check(inner, 'ipv4');
    return forbiddenV6.check(bare, 'ipv6');
  }

  /**
   * Throws BlockedDestinationError unless a request over `protocol` may reach `address`:
   * https reaches public addresses and allowed private ones; http only allowed private ones.
   */
  assertReachable(address: string, protocol: 'http:' | 'https:', host: string): void {
    if (this.isAllowedPrivate(address)) return;
    if (AddressPolicy.isNonPublic(address)) {
      throw new BlockedDestinationError(
        `Refusing to connect to ${host} (${bareAddress(address)}): a private, loopback, link-local or reserved address; ALLOWED_PRIVATE_ADDRESSES can allow it`,
      );
    }
    if (protocol === 'http:') {
      throw new BlockedDestinationError(
        `Refusing plain http to ${host} (${bareAddress(address)}): only https may reach public addresses`,
      );
    }
  }
}
