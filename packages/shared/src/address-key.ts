import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key per-address limits count under (SFU connections and joins, the analyzer's API). Server
 * side only (node:net), so not re-exported from the index that the browser imports.
 *
 * IPv4 (also IPv4-mapped IPv6, what a dual-stack listener reports): the address. IPv6: its /64,
 * because one subscriber gets at least a /64 and can pick any address in it, so keying by full
 * address would limit nobody.
 */
export function addressKey(address: string | undefined): string {
  let a = (address ?? '').trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && isIPv4(a.slice(7))) return a.slice(7);
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return a || 'unknown';
  const hextets = expandIPv6(a);
  return `${hextets.slice(0, 4).join(':')}::/64`;
}

/** Eight hextets without leading zeros ("::1" → 0,0,0,0,0,0,0,1); `a` must be valid IPv6. */
function expandIPv6(a: string): string[] {
  // A trailing dotted quad ("::1.2.3.4") stands for the last two hextets.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (quad) {
    const [b0, b1, b2, b3] = quad.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, quad.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((h) => parseInt(h, 16).toString(16));
}
