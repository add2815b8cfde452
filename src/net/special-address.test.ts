import { describe, expect, it } from 'vitest';
import { isSpecialPurposeAddress } from './special-address.ts';

/** The host of a URL as the server sees it: what the WHATWG parser makes of what was typed. */
const hostOf = (typed: string) => new URL(`https://${typed}/`).hostname;

describe('isSpecialPurposeAddress', () => {
  it('refuses every spelling of loopback a URL can carry', () => {
    for (const typed of [
      '127.0.0.1',
      '127.1',
      '2130706433', // decimal
      '0x7f000001', // hex
      '0x7f.0.0.1',
      '0177.0.0.1', // octal
      '017700000001',
      '[::1]',
      '[0:0:0:0:0:0:0:1]',
      '[::ffff:127.0.0.1]', // IPv4-mapped, dotted: the parser hands on ::ffff:7f00:1
      '[::ffff:7f00:1]',
      '[0:0:0:0:0:ffff:7f00:1]',
      '[::FFFF:127.0.0.1]',
      '[::127.0.0.1]', // IPv4-compatible (deprecated)
      '[64:ff9b::127.0.0.1]', // NAT64 well-known prefix
      '[64:ff9b::7f00:1]',
      '[2002:7f00:1::1]', // 6to4
    ])
      expect(isSpecialPurposeAddress(hostOf(typed)), `${typed} -> ${hostOf(typed)}`).toBe(true);
  });

  it('refuses every special-purpose range of both families', () => {
    for (const address of [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.8',
      '192.0.2.1',
      '192.88.99.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.51.100.1',
      '203.0.113.1',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '::ffff:0:a00:1', // IPv4-translated (SIIT)
      '64:ff9b::10.0.0.1',
      '64:ff9b:1::1', // local-use NAT64
      '100::1', // discard
      '2001::1', // Teredo
      '2001:2::1', // benchmarking
      '2001:db8::1',
      '2002:a00:1::1', // 6to4 of 10.0.0.1
      '3fff::1',
      '5f00::1', // SRv6
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'fec0::1',
      'ff02::1',
      'not-an-address',
    ])
      expect(isSpecialPurposeAddress(address), address).toBe(true);
  });

  it('lets public addresses of both families through, also when carried in IPv6', () => {
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700::6810:84e5',
      '2a00:1450:4001:80b::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::8.8.8.8',
    ])
      expect(isSpecialPurposeAddress(address), address).toBe(false);
  });
});
