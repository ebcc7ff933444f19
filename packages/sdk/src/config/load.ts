import { readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { ConfigError, InvalidInputError } from '../errors.js';
import { registrySchema, SECRET_KEYS, type ShipConfig, shipConfigSchema, smokeSchema, tagsSchema } from './schema.js';

/** The names `loadShipConfig` looks for, in this order, in the directory it searches. */
export const CONFIG_FILE_NAMES = ['ship.yaml', 'ship.yml', 'ship.config.json'] as const;

export interface LoadShipConfigOptions {
  /** The directory to search (the build context, or the Dockerfile's directory). Default: process.cwd(). */
  cwd?: string | undefined;
  /** An explicit file (`--config PATH`), relative to `cwd`; it must exist. */
  path?: string | undefined;
  /** Error messages name the file relative to this directory. Default: process.cwd(). */
  displayFrom?: string | undefined;
}

export interface LoadedShipConfig {
  /** Absolute path of the file that was read. */
  path: string;
  /** The path as error messages show it (relative to the caller's directory). */
  displayPath: string;
  /** Its directory: relative paths in the file (`context`, `dockerfile`) are relative to it. */
  dir: string;
  config: ShipConfig;
}

/**
 * Finds and validates `ship.yaml` (or `ship.config.json`). Returns undefined when there is no
 * file and none was asked for; throws a ConfigError naming the file, the line and the key
 * when the file is not valid.
 */
export async function loadShipConfig(options: LoadShipConfigOptions = {}): Promise<LoadedShipConfig | undefined> {
  const cwd = options.cwd ?? process.cwd();
  if (options.path !== undefined) {
    const path = resolve(cwd, options.path);
    const text = await readText(path);
    if (text === undefined) {
      throw new ConfigError(`No config file at ${options.path}; check the --config path.`, { file: path });
    }
    return parseShipConfig(text, { path, displayPath: options.path });
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    const text = await readText(path).catch((error: unknown) => {
      // `<file>/ship.yaml`: the directory searched (the build context) is a file.
      if ((error as { cause?: { code?: unknown } }).cause?.code === 'ENOTDIR') {
        throw new InvalidInputError(
          `The build context '${cwd}' is a file, not a directory; pass the directory that holds your app (and the Dockerfile with --file).`,
        );
      }
      throw error;
    });
    if (text !== undefined)
      return parseShipConfig(text, { path, displayPath: relative(options.displayFrom ?? process.cwd(), path) || name });
  }
  return undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new ConfigError(`${path} is a directory; point --config at a ship.yaml file.`, { file: path });
    throw new ConfigError(`Cannot read ${path}; check its permissions.`, { file: path, cause: error });
  }
}

/** Validates config text (YAML, or JSON, which is YAML too) and maps a bad key to its line. */
export function parseShipConfig(text: string, file: { path: string; displayPath?: string | undefined }): LoadedShipConfig {
  const shown = file.displayPath ?? basename(file.path);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    const what = syntaxError.message.split('\n')[0]?.replace(/\s*at line \d+, column \d+:?$/, '') ?? 'invalid syntax';
    throw new ConfigError(`${shown}:${line}: ${what}; fix the ${file.path.endsWith('.json') ? 'JSON' : 'YAML'} syntax there.`, {
      file: file.path,
      line,
    });
  }
  const raw = toPlainValue(doc, lineCounter, { shown, path: file.path });
  const parsed = shipConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = specificIssue(parsed.error.issues[0] as z.core.$ZodIssue);
    const line = lineOf(doc, lineCounter, issue);
    throw new ConfigError(`${shown}${line === undefined ? '' : `:${line}`}: ${describeIssue(issue)}`, {
      file: file.path,
      line,
    });
  }
  return { path: file.path, displayPath: shown, dir: dirname(file.path), config: parsed.data };
}

/**
 * The document as plain data. Aliases are bounded (yaml's own `maxAliasCount`), so a "billion
 * laughs" file fails at once, as a bad config naming the file and the first alias's line.
 */
function toPlainValue(doc: Document, lineCounter: LineCounter, file: { shown: string; path: string }): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let line: number | undefined;
    visit(doc, {
      Alias(_key, node) {
        line = node.range ? lineCounter.linePos(node.range[0]).line : undefined;
        return visit.BREAK;
      },
    });
    throw new ConfigError(
      `${file.shown}${line === undefined ? '' : `:${line}`}: the YAML's aliases expand too many times (a "billion laughs" document); write the values out instead of through aliases.`,
      { file: file.path, line, cause: error },
    );
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const where = at === '' ? '' : ` in ${at}`;
      const secretFix = SECRET_KEYS[key];
      if (secretFix !== undefined) {
        return `"${key}"${where} would put a secret in the file; store it in an environment variable and write ${secretFix}: VARIABLE_NAME instead.`;
      }
      const suggestion = closest(key, knownKeysAt(issue.path));
      return suggestion === undefined
        ? `unknown key "${key}"${where}; remove it (docs/cli.md lists the keys ship.yaml accepts).`
        : `unknown key "${key}"${where}; did you mean "${suggestion}"?`;
    }
    case 'invalid_type': {
      const got = issue.input === undefined ? 'nothing' : describeValue(issue.input);
      return `${at || 'the file'} must be ${article(issue.expected)}, not ${got}; fix the value.`;
    }
    case 'invalid_union': {
      const expected = issue.errors.flat().map((option) => {
        if (option.code === 'invalid_type') return article(option.expected);
        if (option.code === 'invalid_value') return option.values.map((value) => JSON.stringify(value)).join(' or ');
        return 'something else';
      });
      return `${at} must be ${[...new Set(expected)].join(' or ')}, not ${describeValue(issue.input)}; fix the value.`;
    }
    case 'too_big':
      return `${at} must be at most ${String(issue.maximum)}, not ${describeValue(issue.input)}; fix the value.`;
    case 'too_small':
      return `${at} must be at least ${String(issue.minimum)}, not ${describeValue(issue.input)}; fix the value.`;
    default:
      return `${at || 'the file'} ${issue.message}.`;
  }
}

/** For a union, the issue of the branch that got furthest: `smoke.timeout`, not `smoke`. */
function specificIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  let deepest: z.core.$ZodIssue | undefined;
  for (const nested of issue.errors.flat()) {
    if (nested.path.length > 0 && (deepest === undefined || nested.path.length > deepest.path.length)) deepest = nested;
  }
  return deepest === undefined ? issue : specificIssue({ ...deepest, path: [...issue.path, ...deepest.path] });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(expected: string): string {
  if (expected === 'object' || expected === 'record' || expected === 'map') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function shapeKeys(schema: { shape: object }): string[] {
  return Object.keys(schema.shape);
}

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const [first, second] = path;
  if (path.length === 0) return shapeKeys(shipConfigSchema);
  if (first === 'registries' && typeof second === 'number') return shapeKeys(registrySchema);
  if (first === 'smoke') return shapeKeys(smokeSchema);
  if (first === 'tags') return shapeKeys(tagsSchema);
  if (first === 'lint') return ['ignore'];
  return [];
}

/** The candidate nearest to `word` by edit distance, when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The 1-based line of the node an issue points at: the bad key itself for unknown keys. */
function lineOf(doc: Document, lineCounter: LineCounter, issue: z.core.$ZodIssue): number | undefined {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
    if (isMap(map)) {
      const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === issue.keys[0]);
      const offset = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
      if (offset !== undefined) return lineCounter.linePos(offset).line;
    }
  }
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length) as unknown[], true);
    const offset = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  return undefined;
}
