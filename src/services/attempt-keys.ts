import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
/**
 * The counter key for an address: IPv4 as is, IPv6 by its /64 (one subscriber usually holds a whole
 * /64, so counting single IPv6 addresses would let one client rotate through billions of them).
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Counter keys are hashed: usernames and addresses never sit in Redis or the rate_limits table. */
export function storeKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
