/**
 * `.dockerignore` matching as the engine does it (moby's patternmatcher): patterns are cleaned
 * paths relative to the context root, `*` and `?` stay within one path segment, `**` spans any
 * number, `!` re-includes, the last matching pattern wins, and a pattern that matches a
 * directory excludes everything under it.
 */

export interface DockerignorePattern {
  pattern: string;
  negated: boolean;
  regex: RegExp;
}

export function parseDockerignore(text: string): DockerignorePattern[] {
  const patterns: DockerignorePattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1).trim();
    const pattern = cleanPath(line);
    if (pattern === '') continue;
    patterns.push({ pattern, negated, regex: patternToRegex(pattern) });
  }
  return patterns;
}

/** True when `path` (relative to the context, `/`-separated) is left out of the build context. */
export function isExcludedByDockerignore(patterns: readonly DockerignorePattern[], path: string): boolean {
  const target = cleanPath(path);
  const prefixes = parentPaths(target);
  let excluded = false;
  for (const { negated, regex } of patterns) {
    if (prefixes.some((prefix) => regex.test(prefix))) excluded = !negated;
  }
  return excluded;
}

function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** `a/b/c` -> [`a`, `a/b`, `a/b/c`]: a pattern matching a parent directory excludes the path. */
function parentPaths(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function patternToRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else if (char === '[' && pattern.indexOf(']', i + 2) !== -1) {
      const end = pattern.indexOf(']', i + 2);
      source += `[${pattern
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (char === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i] as string);
    else source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegex(char: string): string {
  return /[.+^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}
