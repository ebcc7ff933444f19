import { posix } from 'node:path';

/**
 * `.dockerignore` with the docker CLI's semantics (moby/patternmatcher): patterns are
 * relative to the context root, `*` and `?` stop at `/`, `**` spans any number of
 * directories, a pattern that matches a directory matches everything under it, `!` re-includes,
 * and the last matching pattern wins.
 */
export interface IgnorePattern {
  /** The cleaned pattern, without `!`. */
  pattern: string;
  exclusion: boolean;
  regex: RegExp;
}

/** Pure: the lines of a `.dockerignore` to cleaned patterns (comments and blanks dropped). */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = index === 0 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const exclusion = pattern.startsWith('!');
    if (exclusion) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = posix.normalize(pattern);
      if (pattern.endsWith('/') && pattern.length > 1) pattern = pattern.slice(0, -1);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(exclusion ? `!${pattern}` : pattern);
  }
  return patterns;
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '{', '}', '|', '^', '$']);

/** Pure: one cleaned pattern to the regular expression patternmatcher builds for it. */
export function compilePattern(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) source += '\\\\';
      else {
        source += `\\${next}`;
        i++;
      }
    } else if (REGEX_SPECIAL.has(ch)) {
      source += `\\${ch}`;
    } else {
      source += ch;
    }
  }
  return new RegExp(`${source}$`);
}

export class DockerignoreMatcher {
  readonly patterns: IgnorePattern[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map((raw) => {
      const exclusion = raw.startsWith('!');
      const pattern = exclusion ? raw.slice(1) : raw;
      return { pattern, exclusion, regex: compilePattern(pattern) };
    });
  }

  static fromText(text: string): DockerignoreMatcher {
    return new DockerignoreMatcher(parseDockerignore(text));
  }

  get hasExclusions(): boolean {
    return this.patterns.some((pattern) => pattern.exclusion);
  }

  /** True when `path` (relative to the context, `/`-separated) is left out of the context. */
  ignores(path: string): boolean {
    const parents = posix.dirname(path) === '.' ? [] : ancestors(path);
    let matched = false;
    for (const { exclusion, regex } of this.patterns) {
      // An exclusion can only change a match, a pattern only a non-match.
      if (exclusion !== matched) continue;
      const match = regex.test(path) || parents.some((parent) => regex.test(parent));
      if (match) matched = !exclusion;
    }
    return matched;
  }

  /**
   * Whether the walk must still look inside an ignored directory: only when a `!` pattern
   * names a path under it. This is the docker CLI's literal prefix rule, so, as with
   * `docker build`, a `!` pattern starting with a wildcard does not reach into an ignored directory.
   */
  mayReincludeUnder(directory: string): boolean {
    const prefix = `${directory}/`;
    return this.patterns.some(({ exclusion, pattern }) => exclusion && `${pattern}/`.startsWith(prefix));
  }
}

function ancestors(path: string): string[] {
  const parts = path.split('/');
  const result: string[] = [];
  for (let i = 1; i < parts.length; i++) result.push(parts.slice(0, i).join('/'));
  return result;
}
