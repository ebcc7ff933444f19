import semver from 'semver';
import { InvalidInputError } from '../errors.js';
import { DEFAULT_DATE_FORMAT, formatDate } from './date-format.js';
import { assertDockerTag, sanitizeTag } from './docker-tag.js';
import { branchOf, type GitContext, pullRequestOf, tagOf } from './git-types.js';
import { parsePep440 } from './pep440.js';
import type { Flavor, TagRule } from './rules.js';
import { isSingleExpression, renderTemplate, type TemplateHelper, type TemplateScope, usesExpression } from './template.js';
import type { VersionTriple } from './version.js';

/** One tag value (without image), and what the never-backwards guard needs to know about it. */
export interface PlannedValue {
  tag: string;
  /** `major`/`minor` for floating tags made from a version; absent for exact and literal tags. */
  float?: 'major' | 'minor';
  /** The release version a floating tag points at. */
  version?: VersionTriple;
}

export interface RuleNote {
  tag: string;
  reason: string;
}

export interface RuleOutcome {
  values: PlannedValue[];
  latest: boolean;
  /** The stable release version when a semver/pep440 rule (or a semver tag ref) gave one. */
  releaseVersion?: VersionTriple | undefined;
  notes: RuleNote[];
}

const SHORT_SHA_LENGTH = 7;

/**
 * Evaluates metadata-action tag rules against a git context, following its `meta.ts`
 * case by case: the first rule (by priority) that yields a value gives the main tag and
 * decides `latest` (under `latest=auto`); later values are added once each, in order.
 */
export function evaluateRules(rules: readonly TagRule[], flavor: Flavor, git: GitContext, now: Date): RuleOutcome {
  const globals = globalScope(git, now);
  const expand = (text: string, origin: string, scope: TemplateScope = globals) => renderTemplate(text, scope, origin);
  const values: PlannedValue[] = [];
  const notes: RuleNote[] = [];
  let latest: boolean | undefined;
  let releaseVersion: VersionTriple | undefined;

  const latestFor = (auto: boolean) => (flavor.latest === 'auto' ? auto : flavor.latest === 'true');
  const withAffixes = (value: string, rule: TagRule) => {
    const origin = `The tag rule "${rule.source}"`;
    const prefix =
      rule.attrs.prefix !== undefined ? expand(rule.attrs.prefix, origin) : expand(flavor.prefix, 'The flavor prefix');
    const suffix =
      rule.attrs.suffix !== undefined ? expand(rule.attrs.suffix, origin) : expand(flavor.suffix, 'The flavor suffix');
    return `${prefix}${value}${suffix}`;
  };
  const add = (raw: string, auto: boolean, rule: TagRule, extra: Omit<PlannedValue, 'tag'> = {}) => {
    if (raw.length === 0) return;
    const tag = sanitizeTag(raw);
    assertDockerTag(tag, `the tag rule "${rule.source}"`);
    if (!values.some((v) => v.tag === tag)) values.push({ tag, ...extra });
    latest ??= latestFor(auto);
  };

  for (const rule of rules) {
    const origin = `The tag rule "${rule.source}"`;
    const enabled = expand(rule.attrs.enable ?? 'true', origin);
    if (enabled !== 'true' && enabled !== 'false') {
      throw new InvalidInputError(
        `${origin} has enable=${enabled}; enable must be true or false (after expressions are expanded).`,
      );
    }
    if (enabled === 'false') continue;
    const attr = (key: string) => rule.attrs[key] ?? '';
    const tagName = tagOf(git.ref);
    const branch = branchOf(git.ref);

    switch (rule.type) {
      case 'schedule': {
        if (!/schedule/.test(git.eventName)) break;
        add(withAffixes(expand(attr('pattern'), origin), rule), false, rule);
        break;
      }
      case 'semver': {
        if (tagName === undefined && attr('value') === '') break;
        const input = versionInput(rule, attr('value') !== '' ? expand(attr('value'), origin) : (tagName ?? ''));
        if (!semver.valid(input)) {
          notes.push({
            tag: rule.source,
            reason: `"${input}" is not a full semantic version (X.Y.Z), so this rule made no tag.`,
          });
          break;
        }
        const parsed = semver.parse(input, { loose: true });
        if (!parsed) break;
        const pattern = attr('pattern');
        const scope: TemplateScope = {
          ...globals,
          version: constant(parsed.version),
          major: constant(String(parsed.major)),
          minor: constant(String(parsed.minor)),
          patch: constant(String(parsed.patch)),
          raw: constant(parsed.raw),
        };
        const triple: VersionTriple = [parsed.major, parsed.minor, parsed.patch];
        if (parsed.prerelease.length > 0) {
          const effective = isSingleExpression(pattern, 'raw') ? pattern : '{{version}}';
          add(withAffixes(expand(effective, origin, scope), rule), false, rule);
        } else {
          releaseVersion ??= triple;
          add(withAffixes(expand(pattern, origin, scope), rule), true, rule, floatOf(pattern, triple));
        }
        break;
      }
      case 'pep440': {
        if (tagName === undefined && attr('value') === '') break;
        const input = versionInput(rule, attr('value') !== '' ? expand(attr('value'), origin) : (tagName ?? ''));
        const parsed = parsePep440(input);
        if (!parsed) {
          notes.push({ tag: rule.source, reason: `"${input}" does not conform to PEP 440, so this rule made no tag.` });
          break;
        }
        const pattern = attr('pattern');
        if (parsed.isSpecial) {
          add(withAffixes(isSingleExpression(pattern, 'raw') ? input : parsed.normalized, rule), false, rule);
        } else {
          const [major = 0, minor = 0, patch = 0] = parsed.release;
          const triple: VersionTriple = [major, minor, patch];
          const scope: TemplateScope = {
            ...globals,
            version: constant(parsed.normalized),
            major: constant(String(major)),
            minor: constant(String(minor)),
            patch: constant(String(patch)),
            raw: constant(input),
          };
          releaseVersion ??= triple;
          add(withAffixes(expand(pattern, origin, scope), rule), true, rule, floatOf(pattern, triple));
        }
        break;
      }
      case 'match': {
        if (tagName === undefined && attr('value') === '') break;
        const input = attr('value') !== '' ? expand(attr('value'), origin) : (tagName ?? '');
        const match = input.match(toRegExp(attr('pattern'), origin));
        const group = match?.[Number(attr('group'))];
        if (!match) {
          notes.push({ tag: rule.source, reason: `the pattern does not match "${input}", so this rule made no tag.` });
          break;
        }
        if (group === undefined) {
          notes.push({
            tag: rule.source,
            reason: `group ${attr('group')} does not exist in the match of "${input}", so this rule made no tag.`,
          });
          break;
        }
        add(withAffixes(group, rule), true, rule);
        break;
      }
      case 'ref': {
        if (attr('event') === 'branch' && branch !== undefined) add(withAffixes(branch, rule), false, rule);
        else if (attr('event') === 'tag' && tagName !== undefined) add(withAffixes(tagName, rule), true, rule);
        else if (attr('event') === 'pr') {
          const pr = pullRequestOf(git.ref);
          if (pr !== undefined) add(withAffixes(pr, rule), false, rule);
        }
        break;
      }
      case 'edge': {
        if (branch === undefined) break;
        const edgeBranch = attr('branch') !== '' ? attr('branch') : git.defaultBranch;
        if (edgeBranch === undefined) {
          notes.push({
            tag: rule.source,
            reason: 'the default branch is unknown, so set branch= on this rule or give git.defaultBranch.',
          });
          break;
        }
        if (edgeBranch === branch) add(withAffixes('edge', rule), false, rule);
        break;
      }
      case 'raw': {
        add(withAffixes(expand(attr('value'), origin), rule), false, rule);
        break;
      }
      case 'sha': {
        if (git.sha === '') break;
        const value = attr('format') === 'short' ? shortSha(git.sha) : git.sha;
        add(withAffixes(value, rule), false, rule);
        break;
      }
    }
  }

  // metadata-action's `latest=auto` also treats a semver git tag as a release.
  if (releaseVersion === undefined) {
    const tag = tagOf(git.ref);
    const parsed = tag !== undefined && semver.valid(tag) ? semver.parse(tag) : null;
    if (parsed && parsed.prerelease.length === 0) releaseVersion = [parsed.major, parsed.minor, parsed.patch];
  }
  return { values, latest: latest ?? false, releaseVersion, notes };
}

/** A floating tag is one whose pattern names {{major}} (and maybe {{minor}}) but not the full version. */
function floatOf(pattern: string, version: VersionTriple): Omit<PlannedValue, 'tag'> {
  if (['version', 'raw', 'patch'].some((name) => usesExpression(pattern, name))) return {};
  if (usesExpression(pattern, 'minor')) return { float: 'minor', version };
  if (usesExpression(pattern, 'major')) return { float: 'major', version };
  return {};
}

/** Expands `{{branch}}`, `{{date 'YYYYMMDD'}}` and the other global expressions in `text`. */
export function expandGlobals(text: string, git: GitContext, now: Date, origin: string): string {
  return renderTemplate(text, globalScope(git, now), origin);
}

function globalScope(git: GitContext, now: Date): TemplateScope {
  const dateHelper =
    (date: Date): TemplateHelper =>
    (args, hash) => {
      for (const key of Object.keys(hash)) {
        if (key !== 'tz')
          throw new InvalidInputError(
            `A {{date}} expression has an unknown attribute "${key}"; only tz='Area/City' is supported.`,
          );
      }
      return formatDate(date, args[0] ?? DEFAULT_DATE_FORMAT, hash.tz ?? 'UTC');
    };
  const commitDate = git.commitDate !== undefined ? new Date(git.commitDate) : now;
  const scope: TemplateScope = {
    branch: () => branchOf(git.ref) ?? '',
    tag: () => tagOf(git.ref) ?? '',
    sha: () => shortSha(git.sha),
    base_ref: () => (tagOf(git.ref) !== undefined || pullRequestOf(git.ref) !== undefined ? (git.baseRef ?? '') : ''),
    is_default_branch: () => {
      const branch = git.ref.replace(/^refs\/heads\//, '');
      if (branch.length === 0) return 'false';
      if (git.defaultBranch === branch) return 'true';
      // These events always run on the default branch's last commit.
      return /create|discussion|issues|schedule/.test(git.eventName) ? 'true' : 'false';
    },
    is_not_default_branch: () => (scope.is_default_branch?.([], {}) === 'true' ? 'false' : 'true'),
    date: dateHelper(now),
    commit_date: dateHelper(Number.isNaN(commitDate.getTime()) ? now : commitDate),
  };
  return scope;
}

/**
 * The text a semver/pep440 rule reads its version from: the value or git tag, narrowed by the
 * rule's `match` regular expression (its first capture group, else the whole match), with `/`
 * made `-`. A `match` that does not match leaves the text whole, as metadata-action does.
 */
function versionInput(rule: TagRule, raw: string): string {
  const match = rule.attrs.match ?? '';
  let text = raw;
  if (match !== '') {
    const found = raw.match(toRegExp(match, `The tag rule "${rule.source}"`, 'match'));
    if (found) text = found[1] ?? found[0];
  }
  return text.replace(/\//g, '-');
}

function constant(value: string): TemplateHelper {
  return () => value;
}

function shortSha(sha: string): string {
  return sha.slice(0, SHORT_SHA_LENGTH);
}

/** `/re/flags` is a regular expression with flags; anything else is a pattern string (as String.match takes it). */
function toRegExp(pattern: string, origin: string, attribute = 'pattern'): RegExp {
  const literal = /^\/(.+)\/(.*)$/.exec(pattern);
  try {
    return literal?.[1] !== undefined ? new RegExp(literal[1], literal[2]) : new RegExp(pattern);
  } catch (error) {
    throw new InvalidInputError(`${origin} has a ${attribute} that is not a valid regular expression; fix the ${attribute}.`, {
      cause: error,
    });
  }
}
