import { BlockList, isIP } from 'node:net';

/**
 * Every IPv4 range in IANA's special-purpose and multicast registries, even the few marked
 * globally reachable (AS112, AMT, 6to4 relays): no Canvas lives there, and a server that
 * may be talked into connecting to them can be made to reach its own network.
 */
const V4_SPECIAL: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.31.196.0', 24], // AS112
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // AS112 direct delegation
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
];

/**
 * IPv6 ranges refused inside global unicast (2000::/3); everything outside 2000::/3 is
 * refused already, except the two prefixes that carry an IPv4 address to judge instead.
 */
const V6_SPECIAL: ReadonlyArray<readonly [string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID…
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: reaches whatever IPv4 address it embeds, through a relay
  ['2620:4f:8000::', 48], // AS112 direct delegation
  ['3fff::', 20], // documentation
];

const v4 = new BlockList();
for (const [network, prefix] of V4_SPECIAL) v4.addSubnet(network, prefix, 'ipv4');
const v6 = new BlockList();
for (const [network, prefix] of V6_SPECIAL) v6.addSubnet(network, prefix, 'ipv6');

/**
 * Whether connecting to `address` (an IP literal, as a resolver or a URL parser gives it)
 * could reach something other than a host on the public internet: a special-purpose
 * address of either family, or an IPv6 address that carries one (IPv4-mapped, NAT64).
 * Anything that is not an IP literal counts as special: refusing is the safe answer.
 */
export function isSpecialPurposeAddress(address: string): boolean {
  const literal = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(literal);
  if (family === 4) return v4.check(literal, 'ipv4');
  if (family !== 6) return true;
  const bytes = ipv6Bytes(literal);
  if (bytes === undefined) return true;
  const embedded = embeddedIpv4(bytes);
  if (embedded !== undefined) return v4.check(embedded, 'ipv4');
  // Only global unicast (2000::/3) reaches the public internet.
  if (((bytes[0] ?? 0) & 0xe0) !== 0x20) return true;
  return v6.check(literal, 'ipv6');
}

/**
 * The IPv4 address an IPv6 one is translated to on the way out: IPv4-mapped
 * (::ffff:0:0/96, which the socket layer connects to as IPv4) and the NAT64 well-known
 * prefix (64:ff9b::/96, which a NAT64 gateway forwards to that IPv4 address).
 */
function embeddedIpv4(bytes: Uint8Array): string | undefined {
  const head = (length: number) => Array.from(bytes.subarray(0, length));
  const mapped = head(12).every((b, i) => (i < 10 ? b === 0 : b === 0xff));
  const nat64 = head(12).join() === [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0].join();
  return mapped || nat64 ? Array.from(bytes.subarray(12)).join('.') : undefined;
}

/** The 16 bytes of a valid IPv6 literal (`::` compression and a dotted IPv4 tail allowed). */
function ipv6Bytes(literal: string): Uint8Array | undefined {
  let text = literal.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  if (right === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [
    ...leftGroups,
    ...Array<string>(right === undefined ? 0 : missing).fill('0'),
    ...rightGroups,
  ];
  const bytes = new Uint8Array(16);
  for (const [i, group] of groups.entries()) {
    const value = Number.parseInt(group, 16);
    if (!/^[0-9a-f]{1,4}$/.test(group) || Number.isNaN(value)) return undefined;
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  return bytes;
}
