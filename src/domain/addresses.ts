import { containsIp, parseCidr, parseIpv4, type Cidr } from './cidr.ts';

/** IPv4 addresses of subnets: which a holder may get, and the first one free. Pure. */

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * The addresses of a subnet no port or endpoint gets (spec/interface-services.md): the network
 * address, the gateway, and the last three (two the cloud keeps for DHCP and DNS, and broadcast).
 */
function reserved(cidr: Cidr, gateway: number): Set<number> {
  const last = cidr.base + 2 ** (32 - cidr.prefix) - 1;
  return new Set([cidr.base, gateway, last - 2, last - 1, last]);
}

export type AddressRefusal = 'invalid' | 'outside' | 'taken';

/**
 * `requested`, when given, as the address a holder gets; else the lowest free address. A refusal
 * says why: not an IPv4 address, not a usable address of the subnet, or held already; `full` when
 * nothing is free.
 */
export function chooseAddress(
  subnet: { cidr: string; gateway_ip: string },
  inUse: ReadonlySet<string>,
  requested?: string,
): { ip: string } | { refused: AddressRefusal | 'full' } {
  const cidr = parseCidr(subnet.cidr)!;
  const skip = reserved(cidr, parseIpv4(subnet.gateway_ip)!);
  if (requested !== undefined) {
    const ip = parseIpv4(requested);
    if (ip === undefined) return { refused: 'invalid' };
    if (!containsIp(cidr, ip) || skip.has(ip)) return { refused: 'outside' };
    const text = formatIpv4(ip);
    return inUse.has(text) ? { refused: 'taken' } : { ip: text };
  }
  const size = 2 ** (32 - cidr.prefix);
  for (let n = cidr.base; n < cidr.base + size; n++) {
    const text = formatIpv4(n);
    if (!skip.has(n) && !inUse.has(text)) return { ip: text };
  }
  return { refused: 'full' };
}

/** An endpoint's whitelist entry: an IPv4 address, or a CIDR with its host bits zero. */
export const isWhitelistEntry = (s: string) => parseIpv4(s) !== undefined || parseCidr(s) !== undefined;
