import { InvalidInputError } from '../errors.js';
import { assertDockerTag, normalizeImageName, sanitizeTag } from './docker-tag.js';
import { evaluateRules, expandGlobals, type PlannedValue, type RuleNote } from './evaluate.js';
import { emptyGitContext, type GitContext } from './git-types.js';
import { imageNames } from './image-lines.js';
import { ociLabels } from './oci-labels.js';
import { inputLines, parseFlavor, parseRules } from './rules.js';
import { compareTriples, formatTriple, shortcutValues, type VersionTriple } from './version.js';

export interface PlanTagsOptions {
  /**
   * Image names (`ghcr.io/org/app`); lower-cased; tags are planned for each, in this order. An
   * entry may be a metadata-action image line, `name=ghcr.io/org/app,enable=false` (left out).
   */
  images: string[];
  /** The version shortcut: `v1.2.3` gives 1.2.3, 1.2, 1 and latest. */
  version?: string | undefined;
  /** docker/metadata-action tag rules, one per entry, or whole multi-line `tags:` blocks. */
  rules?: string[] | undefined;
  /** docker/metadata-action flavor entries (`latest=false`, `prefix=foo-,onlatest=true`). */
  flavor?: string[] | undefined;
  /** Where the build comes from; see `readGitContext`. */
  git?: Partial<GitContext> | undefined;
  /** Tags already in the registry (`2.0.0` or `ghcr.io/org/app:2.0.0`): floating tags never move backwards past them. */
  existingTags?: string[] | undefined;
  /** `false` never plans `latest`. */
  latest?: boolean | undefined;
  /** `false` plans no floating version tags (X.Y, X). */
  floating?: boolean | undefined;
  /** Keep the `v` of `v1.2.3` in the tags. */
  keepV?: boolean | undefined;
  /** The clock for `{{date}}`, and the `created` label when neither `created` nor the commit date is known; defaults to now. */
  now?: Date | number | string | undefined;
  /** The image's `created` label (e.g. `sourceDateEpoch()`); defaults to the commit date, else `now`. */
  created?: Date | number | string | undefined;
}

export interface SkippedTag {
  /** The tag (full reference) that was not planned, or the rule that made no tag. */
  tag: string;
  reason: string;
  /** For a floating tag kept from moving backwards: the newest existing release in its line (full reference). */
  newer?: string;
}

export interface TagPlan {
  /** The main tag (what `org.opencontainers.image.version` says); empty when nothing was planned. */
  version: string;
  /** Full references `image:tag`, image by image in the order given. */
  tags: string[];
  /** The references in `tags` that move from release to release (X.Y, X, latest): a release writes them last. */
  floating: string[];
  /** OCI labels for the build. */
  labels: Record<string, string>;
  skipped: SkippedTag[];
}

/** Plans the tags (and OCI labels) of a build. Pure: the same options always give the same plan. */
export function planTags(options: PlanTagsOptions): TagPlan {
  if (!Array.isArray(options.images) || options.images.length === 0) {
    throw new InvalidInputError('No image was given to tag; pass at least one image name, such as ghcr.io/org/app.');
  }
  const images = unique(imageNames(options.images).map(normalizeImageName));
  // Only the given fields: an `undefined` one must not overwrite the empty context's default.
  const git: GitContext = { ...emptyGitContext(), ...definedOnly(options.git ?? {}) };
  const now = new Date(options.now ?? Date.now());
  if (Number.isNaN(now.getTime()))
    throw new InvalidInputError(`The date "${String(options.now)}" is not a valid date; pass a Date or ISO 8601 text.`);
  const flavor = parseFlavor(options.flavor);
  const prefix = expandGlobals(flavor.prefix, git, now, 'The flavor prefix');
  const suffix = expandGlobals(flavor.suffix, git, now, 'The flavor suffix');

  const values: PlannedValue[] = [];
  let latest = false;
  let releaseVersion: VersionTriple | undefined;
  const notes: RuleNote[] = [];

  const version = options.version?.trim();
  if (version !== undefined && version !== '') {
    const shortcut = shortcutValues(version, { keepV: options.keepV });
    for (const value of shortcut.values) {
      const tag = sanitizeTag(`${prefix}${value.tag}${suffix}`);
      assertDockerTag(tag, 'the version and flavor');
      values.push({ ...value, tag });
    }
    latest = flavor.latest === 'auto' ? shortcut.stable : flavor.latest === 'true';
    releaseVersion = shortcut.releaseVersion;
  } else if (version === '') {
    throw new InvalidInputError('The version is empty; pass a version such as v1.2.3, or leave it out to use tag rules.');
  }

  const ruleLines = inputLines(options.rules);
  if (ruleLines.length > 0 || values.length === 0) {
    const outcome = evaluateRules(parseRules(ruleLines), flavor, git, now);
    for (const value of outcome.values) if (!values.some((v) => v.tag === value.tag)) values.push(value);
    latest = values.length > 0 && (latest || outcome.latest);
    releaseVersion ??= outcome.releaseVersion;
    notes.push(...outcome.notes);
  }

  const skipped: SkippedTag[] = notes.map((note) => ({ tag: note.tag, reason: note.reason }));
  const planned = options.floating === false ? values.filter((value) => value.float === undefined) : values;
  if (options.floating === false) {
    for (const value of values.filter((v) => v.float !== undefined)) {
      for (const image of images) skipped.push({ tag: `${image}:${value.tag}`, reason: 'floating tags are turned off.' });
    }
  }
  const latestTag = sanitizeTag(`${flavor.prefixLatest ? prefix : ''}latest${flavor.suffixLatest ? suffix : ''}`);
  if (latest && options.latest === false) {
    for (const image of images) skipped.push({ tag: `${image}:${latestTag}`, reason: 'latest is turned off.' });
    latest = false;
  }

  const tags: string[] = [];
  const floating: string[] = [];
  for (const image of images) {
    const existing = existingVersions(options.existingTags ?? [], image, prefix, suffix);
    for (const value of planned) {
      const blocker = value.float && value.version ? newerInLine(existing, value.version, value.float) : undefined;
      if (blocker && value.version) {
        skipped.push({
          tag: `${image}:${value.tag}`,
          reason: `${image}:${blocker.tag} already exists and is newer than ${formatTriple(value.version)}, so ${value.tag} stays where it is.`,
          newer: `${image}:${blocker.tag}`,
        });
      } else {
        tags.push(`${image}:${value.tag}`);
        if (value.float) floating.push(`${image}:${value.tag}`);
      }
    }
    if (latest) {
      const blocker = releaseVersion ? newerInLine(existing, releaseVersion, 'latest') : undefined;
      if (blocker && releaseVersion) {
        skipped.push({
          tag: `${image}:${latestTag}`,
          reason: `${image}:${blocker.tag} already exists and is newer than ${formatTriple(releaseVersion)}, so ${latestTag} stays where it is.`,
          newer: `${image}:${blocker.tag}`,
        });
      } else {
        tags.push(`${image}:${latestTag}`);
        floating.push(`${image}:${latestTag}`);
      }
    }
  }

  const main = planned[0]?.tag ?? '';
  // `created` is SOURCE_DATE_EPOCH or the commit's date when known, so a cached rebuild of the
  // same commit gives the same image and digest instead of a new one per run.
  const created = options.created ?? git.commitDate ?? now;
  return {
    version: main,
    tags: unique(tags),
    floating: unique(floating),
    labels: ociLabels({ git, version: main || undefined, created }),
    skipped,
  };
}

interface ExistingVersion {
  tag: string;
  version: VersionTriple;
}

/**
 * Existing tags that say a release exists: X.Y.Z, and X.Y (some X.Y.n exists). Bare numbers
 * are ignored, since PR numbers and dates look just like them; pre-releases never count.
 */
function existingVersions(existing: readonly string[], image: string, prefix: string, suffix: string): ExistingVersion[] {
  const versions: ExistingVersion[] = [];
  for (const entry of existing) {
    let tag = entry.trim();
    const colon = tag.lastIndexOf(':');
    if (colon > tag.lastIndexOf('/')) {
      if (tag.slice(0, colon).toLowerCase() !== image) continue;
      tag = tag.slice(colon + 1);
    }
    const shown = tag;
    if (prefix && tag.startsWith(prefix)) tag = tag.slice(prefix.length);
    if (suffix && tag.endsWith(suffix)) tag = tag.slice(0, -suffix.length);
    const m = /^[vV]?(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/.exec(tag);
    if (m) versions.push({ tag: shown, version: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] });
  }
  return versions;
}

/** The newest existing release that a floating tag for `version` would move backwards past. */
function newerInLine(
  existing: ExistingVersion[],
  version: VersionTriple,
  line: 'major' | 'minor' | 'latest',
): ExistingVersion | undefined {
  const inLine = existing.filter(
    (e) =>
      compareTriples(e.version, version) > 0 &&
      (line === 'latest' || (e.version[0] === version[0] && (line === 'major' || e.version[1] === version[1]))),
  );
  return inLine.sort((a, b) => compareTriples(b.version, a.version))[0];
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
