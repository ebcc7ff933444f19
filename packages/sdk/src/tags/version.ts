import { assertDockerTag } from './docker-tag.js';
import type { PlannedValue } from './evaluate.js';
import { tagOf } from './git-types.js';

/** major, minor, patch; missing parts of a short version count as 0. */
export type VersionTriple = [number, number, number];

/** A version given to the shortcut: `v1`, `v1.1`, `1.1.0`, `v2.0.0-rc.1`, `1.2.3+build.7`. */
export interface ShortcutVersion {
  prefix: string;
  parts: number[];
  prerelease?: string | undefined;
  build?: string | undefined;
}

const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const NUMBER = '(0|[1-9]\\d*)';
const SHORTCUT = new RegExp(`^([vV]?)${NUMBER}(?:\\.${NUMBER})?(?:\\.${NUMBER})?(?:-(${IDENTIFIERS}))?(?:\\+(${IDENTIFIERS}))?$`);

export function parseShortcutVersion(value: string): ShortcutVersion | undefined {
  const m = SHORTCUT.exec(value);
  if (!m) return undefined;
  const [, prefix = '', major, minor, patch, prerelease, build] = m;
  const parts = [major, minor, patch].filter((part): part is string => part !== undefined).map(Number);
  return { prefix, parts, prerelease, build };
}

export interface ShortcutOutcome {
  values: PlannedValue[];
  /** Whether this version may have `latest` (a stable release); flavor and options decide the rest. */
  stable: boolean;
  releaseVersion?: VersionTriple;
}

/**
 * The version shortcut: a stable X.Y.Z gives X.Y.Z, X.Y and X; X.Y gives X.Y and X; X gives X.
 * A pre-release gives only its exact tag, major 0 never gets a bare `0`, `+` (build metadata,
 * which a tag cannot hold) becomes `-`, and anything that is not a version is a literal tag.
 */
export function shortcutValues(input: string, options: { keepV?: boolean | undefined } = {}): ShortcutOutcome {
  const value = input.trim();
  const version = parseShortcutVersion(value);
  if (!version) {
    assertDockerTag(value, 'the version');
    return { values: [{ tag: value }], stable: false };
  }
  const v = options.keepV ? version.prefix : '';
  const [major = 0, minor, patch] = version.parts;
  let exact = `${v}${version.parts.join('.')}`;
  if (version.prerelease !== undefined) exact += `-${version.prerelease}`;
  if (version.build !== undefined) exact += `-${version.build}`;
  assertDockerTag(exact, 'the version');
  if (version.prerelease !== undefined) return { values: [{ tag: exact }], stable: false };

  const triple: VersionTriple = [major, minor ?? 0, patch ?? 0];
  const values: PlannedValue[] = [{ tag: exact }];
  if (patch !== undefined || (minor !== undefined && version.build !== undefined)) {
    values.push({ tag: `${v}${major}.${minor}`, float: 'minor', version: triple });
  }
  if (major !== 0 && (minor !== undefined || version.build !== undefined)) {
    values.push({ tag: `${v}${major}`, float: 'major', version: triple });
  }
  return { values: dedupe(values), stable: true, releaseVersion: triple };
}

function dedupe(values: PlannedValue[]): PlannedValue[] {
  return values.filter((value, index) => values.findIndex((other) => other.tag === value.tag) === index);
}

export function compareTriples(a: VersionTriple, b: VersionTriple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function formatTriple(v: VersionTriple): string {
  return v.join('.');
}

/**
 * A pushed version tag (`refs/tags/v1.2.3`, all three parts) as the version shortcut, for a
 * release given neither a version nor tag rules: CI on a tag push then gets 1.2.3, 1.2, 1 and
 * latest, the same on a laptop whose HEAD sits on that tag. Other refs are left to the default rules.
 */
export function versionFromGitRef(ref: string | undefined): string | undefined {
  const tag = ref === undefined ? undefined : tagOf(ref);
  if (tag === undefined) return undefined;
  return parseShortcutVersion(tag)?.parts.length === 3 ? tag : undefined;
}
