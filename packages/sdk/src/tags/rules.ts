import { InvalidInputError } from '../errors.js';

/**
 * Parsing of docker/metadata-action's `tags:` and `flavor:` inputs. Each entry is a line of
 * comma-separated `key=value` fields (a field may be double-quoted to hold commas); a field
 * without `=` is the rule's `value`. A multi-line block, as written in a workflow, is split
 * into lines first; blank lines and lines starting with `#` are ignored.
 */
export type RuleType = 'schedule' | 'semver' | 'pep440' | 'match' | 'edge' | 'ref' | 'raw' | 'sha';

export interface TagRule {
  type: RuleType;
  /** Attributes after defaults, keys lower-cased; `prefix`/`suffix` are present only when given. */
  attrs: Record<string, string>;
  priority: number;
  /** The line as written, for messages. */
  source: string;
}

export interface Flavor {
  latest: 'auto' | 'true' | 'false';
  prefix: string;
  prefixLatest: boolean;
  suffix: string;
  suffixLatest: boolean;
}

export const DEFAULT_PRIORITIES: Record<RuleType, number> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100,
};

/** metadata-action's rules when the `tags:` input is empty. */
export const DEFAULT_RULES = ['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'];

const RULE_TYPES = Object.keys(DEFAULT_PRIORITIES) as RuleType[];
const COMMON_KEYS = ['type', 'value', 'enable', 'priority', 'prefix', 'suffix'];
const TYPE_KEYS: Record<RuleType, string[]> = {
  schedule: ['pattern'],
  semver: ['pattern', 'match'],
  pep440: ['pattern', 'match'],
  match: ['pattern', 'group'],
  edge: ['branch'],
  ref: ['event'],
  raw: [],
  sha: ['format'],
};

/** Splits raw inputs (repeated flags, or whole multi-line blocks) into meaningful lines. */
export function inputLines(inputs: readonly string[] | undefined): string[] {
  return (inputs ?? [])
    .flatMap((input) => input.split(/\r?\n/))
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/** Parses and validates tag rules, applies defaults, and orders them by priority (highest first, stable). */
export function parseRules(inputs: readonly string[] | undefined): TagRule[] {
  const lines = inputLines(inputs);
  const rules = (lines.length > 0 ? lines : DEFAULT_RULES).map(parseRule);
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
}

export function parseRule(source: string): TagRule {
  let type: RuleType = 'raw';
  const attrs: Record<string, string> = {};
  for (const field of splitFields(source, `The tag rule "${source}"`)) {
    const eq = field.indexOf('=');
    if (eq <= 0) {
      attrs.value = field.trim();
      continue;
    }
    const key = field.slice(0, eq).trim().toLowerCase();
    const value = field.slice(eq + 1).trim();
    if (key === 'type') {
      if (!RULE_TYPES.includes(value as RuleType)) {
        throw new InvalidInputError(
          `The tag rule "${source}" has an unknown type "${value}"; use one of ${RULE_TYPES.join(', ')}.`,
        );
      }
      type = value as RuleType;
    } else {
      attrs[key] = value;
    }
  }
  const allowed = [...COMMON_KEYS, ...TYPE_KEYS[type]];
  for (const key of Object.keys(attrs)) {
    if (!allowed.includes(key)) {
      throw new InvalidInputError(
        `The tag rule "${source}" has an attribute "${key}" that type=${type} does not know; use only ${allowed.filter((k) => k !== 'type').join(', ')}.`,
      );
    }
  }
  const need = (key: string, example: string) => {
    if (!(key in attrs))
      throw new InvalidInputError(`The tag rule "${source}" needs a ${key} attribute, for example ${example}.`);
  };
  const oneOf = (key: string, values: string[]) => {
    if (!values.includes(attrs[key] ?? '')) {
      throw new InvalidInputError(`The tag rule "${source}" has ${key}=${attrs[key] ?? ''}; use one of ${values.join(', ')}.`);
    }
  };
  switch (type) {
    case 'schedule':
      attrs.pattern ??= 'nightly';
      break;
    case 'semver':
    case 'pep440':
      need('pattern', `type=${type},pattern={{version}}`);
      attrs.value ??= '';
      attrs.match ??= '';
      break;
    case 'match':
      need('pattern', 'type=match,pattern=v(.*),group=1');
      attrs.group ??= '0';
      if (!/^\d+$/.test(attrs.group)) {
        throw new InvalidInputError(
          `The tag rule "${source}" has group=${attrs.group}; use the number of a capture group, such as group=1.`,
        );
      }
      attrs.value ??= '';
      break;
    case 'edge':
      attrs.branch ??= '';
      break;
    case 'ref':
      need('event', 'type=ref,event=branch');
      oneOf('event', ['branch', 'tag', 'pr']);
      if (attrs.event === 'pr') attrs.prefix ??= 'pr-';
      break;
    case 'raw':
      need('value', 'type=raw,value=stable');
      break;
    case 'sha':
      attrs.prefix ??= 'sha-';
      attrs.format ??= 'short';
      oneOf('format', ['short', 'long']);
      break;
  }
  attrs.enable ??= 'true';
  let priority = DEFAULT_PRIORITIES[type];
  if (attrs.priority !== undefined) {
    if (!/^-?\d+$/.test(attrs.priority)) {
      throw new InvalidInputError(
        `The tag rule "${source}" has priority=${attrs.priority}; use a whole number such as priority=1000.`,
      );
    }
    priority = Number(attrs.priority);
  }
  return { type, attrs, priority, source };
}

export function parseFlavor(inputs: readonly string[] | undefined): Flavor {
  const flavor: Flavor = { latest: 'auto', prefix: '', prefixLatest: false, suffix: '', suffixLatest: false };
  for (const line of inputLines(inputs)) {
    let onLatestFor: 'prefix' | 'suffix' | undefined;
    for (const field of splitFields(line, `The flavor "${line}"`)) {
      const eq = field.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputError(
          `The flavor "${line}" has a field "${field}" without a value; write key=value, such as latest=false.`,
        );
      }
      const key = field.slice(0, eq).trim().toLowerCase();
      const value = field.slice(eq + 1).trim();
      switch (key) {
        case 'latest':
          if (value !== 'auto' && value !== 'true' && value !== 'false') {
            throw new InvalidInputError(
              `The flavor "${line}" has latest=${value}; use latest=auto, latest=true or latest=false.`,
            );
          }
          flavor.latest = value;
          break;
        case 'prefix':
          flavor.prefix = value;
          onLatestFor = 'prefix';
          break;
        case 'suffix':
          flavor.suffix = value;
          onLatestFor = 'suffix';
          break;
        case 'onlatest':
          if (value !== 'true' && value !== 'false') {
            throw new InvalidInputError(`The flavor "${line}" has onlatest=${value}; use onlatest=true or onlatest=false.`);
          }
          if (onLatestFor === 'prefix') flavor.prefixLatest = value === 'true';
          else if (onLatestFor === 'suffix') flavor.suffixLatest = value === 'true';
          else
            throw new InvalidInputError(
              `The flavor "${line}" has onlatest without a prefix or suffix before it; write prefix=foo-,onlatest=true.`,
            );
          break;
        default:
          throw new InvalidInputError(
            `The flavor "${line}" has an unknown key "${key}"; use latest, prefix, suffix or onlatest.`,
          );
      }
    }
  }
  return flavor;
}

/** CSV-style fields: commas separate, a field that starts with `"` runs to the closing quote (`""` is a quote). */
export function splitFields(line: string, origin: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new InvalidInputError(`${origin} has a quote that is never closed; close it with ".`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i];
        i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') {
        throw new InvalidInputError(`${origin} has text after a closing quote; quote the whole field, as in "pattern=a,b".`);
      }
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      field = line.slice(i, end);
      i = end;
    }
    if (field.trim().length > 0) fields.push(field);
    i++;
  }
  return fields;
}
