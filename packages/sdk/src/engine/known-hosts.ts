import { createHmac } from 'node:crypto';

/** How a host appears in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** An OpenSSH host pattern: `*` and `?` wildcards. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(name);
}

/** One field of host patterns (`a,b,!c` or a hashed `|1|salt|hash`) against the host's name. */
function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict = 'match' | 'unknown' | 'mismatch' | 'revoked';

/**
 * Pure: known_hosts files' text, the host and the key it presented → whether to trust it, as
 * OpenSSH decides (`@revoked` wins, a listed key matches, a host listed only with other keys
 * is a mismatch, an unlisted host is unknown). `@cert-authority` lines are not used.
 */
export function hostKeyVerdict(files: readonly string[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const presented = key.toString('base64');
  let listed = false;
  let matched = false;
  for (const line of files.flatMap((text) => text.split('\n'))) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 0 || fields[0] === '' || fields[0]?.startsWith('#')) continue;
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [hosts, , base64] = fields;
    if (!hosts || !base64 || !hostFieldMatches(hosts, name)) continue;
    if (marker === '@revoked') {
      if (base64 === presented) return 'revoked';
      continue;
    }
    if (marker !== undefined) continue;
    listed = true;
    if (base64 === presented) matched = true;
  }
  if (matched) return 'match';
  return listed ? 'mismatch' : 'unknown';
}
