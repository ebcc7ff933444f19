/**
 * `WWW-Authenticate` challenges as registries send them (RFC 7235 auth-params):
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"`
 * or `Basic realm="Registry Realm"`.
 */
export interface AuthChallenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

const PARAM = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;

/** Pure: the challenges in a header value (or several values), unknown schemes dropped. */
export function parseChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const challenges: AuthChallenge[] = [];
  for (const value of values) {
    // A new challenge starts at a scheme token that is not itself part of a key=value pair.
    const starts = [...value.matchAll(/(?:^|,)\s*(Basic|Bearer)(?=\s|$)/gi)];
    starts.forEach((match, index) => {
      const schemeName = (match[1] ?? '').toLowerCase();
      const from = (match.index ?? 0) + match[0].length;
      const to = starts[index + 1]?.index ?? value.length;
      const params: Record<string, string> = {};
      for (const param of value.slice(from, to).matchAll(PARAM)) {
        const key = (param[1] ?? '').toLowerCase();
        params[key] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
      }
      challenges.push({ scheme: schemeName === 'basic' ? 'basic' : 'bearer', params });
    });
  }
  return challenges;
}

/** The scope a request needs, in the token spec's `repository:<name>:<actions>` form. */
export function repositoryScope(name: string, actions: ReadonlyArray<'pull' | 'push'>): string {
  return `repository:${name}:${actions.join(',')}`;
}
