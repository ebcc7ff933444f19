import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { analyzeDockerfile } from './analysis.js';
import { type LintBuilder, type LintFinding, lintRule, runLintRules } from './rules.js';

export interface LintOptions {
  /** Path of the Dockerfile. */
  dockerfile: string;
  /** The build context, where `.dockerignore` is looked for; defaults to the Dockerfile's directory. */
  context?: string | undefined;
  /** The port the smoke test requests; the final stage must EXPOSE it. */
  smokePort?: number | undefined;
  /** Rule ids to leave out (`CS003`, or the hadolint id `DL3042`), e.g. from `ship.yaml`. */
  ignore?: string[] | undefined;
  /** The builder that will run it (default `auto`, BuildKit on a Docker engine). */
  builder?: LintBuilder | undefined;
  /** The stage that is built (`--target`); default the final stage. */
  target?: string | undefined;
}

export interface LintResult {
  /** The Dockerfile, as given. */
  file: string;
  findings: LintFinding[];
}

export interface LintTextOptions {
  file?: string | undefined;
  smokePort?: number | undefined;
  ignore?: string[] | undefined;
  builder?: LintBuilder | undefined;
  target?: string | undefined;
  /** `.dockerignore` content; `null` for none in the context; omit to skip the context checks. */
  dockerignore?: string | null | undefined;
  dockerignorePath?: string | undefined;
}

/** Lints a Dockerfile on disk, with its build context's `.dockerignore`. */
export async function lintDockerfile(options: LintOptions): Promise<LintResult> {
  const { dockerfile } = options;
  const context = options.context ?? dirname(dockerfile);
  let text: string;
  try {
    text = await readFile(dockerfile, 'utf8');
  } catch (cause) {
    throw new InvalidInputError(`Cannot read Dockerfile ${dockerfile}; check the path, or name the Dockerfile to lint.`, {
      cause,
    });
  }
  const dockerignorePath = join(context, '.dockerignore');
  const dockerignore = await readFile(dockerignorePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  return lintDockerfileText(text, {
    file: dockerfile,
    dockerignore,
    dockerignorePath,
    smokePort: options.smokePort,
    ignore: options.ignore,
    builder: options.builder,
    // An empty target means the final stage, as when none is given.
    ...(options.target ? { target: options.target } : {}),
  });
}

/** Pure lint of Dockerfile text; what `lintDockerfile` does after reading the files. */
export function lintDockerfileText(text: string, options: LintTextOptions = {}): LintResult {
  const analysis = analyzeDockerfile(text);
  const findings = runLintRules({
    analysis,
    smokePort: options.smokePort,
    dockerignore: options.dockerignore,
    dockerignorePath: options.dockerignorePath,
    builder: options.builder,
    target: options.target,
  });
  const ignored = new Set((options.ignore ?? []).map((id) => id.trim().toUpperCase()));
  const lines = text.split(/\r?\n/);
  const firstInstructionLine = analysis.instructions[0]?.line ?? 1;
  const kept = findings.filter((finding) => {
    if (matchesAny(finding, ignored)) return false;
    const anchor = finding.file === undefined ? finding.line : firstInstructionLine;
    return !matchesAny(finding, inlineIgnores(lines, anchor));
  });
  return { file: options.file ?? 'Dockerfile', findings: kept };
}

function matchesAny(finding: LintFinding, ids: ReadonlySet<string>): boolean {
  return ids.has(finding.id) || (finding.hadolint !== undefined && ids.has(finding.hadolint));
}

/**
 * Ids named by `# ship-lint ignore=ID[,ID]` (or hadolint's `# hadolint ignore=DLxxxx`) in the comment
 * lines directly above the instruction on `line` (1-based).
 */
function inlineIgnores(lines: readonly string[], line: number): Set<string> {
  const ids = new Set<string>();
  for (let index = line - 2; index >= 0; index--) {
    const text = (lines[index] ?? '').trim();
    if (!text.startsWith('#')) break;
    const match = /^#\s*(?:ship-lint|hadolint)\s+ignore\s*=\s*([A-Za-z0-9,\s]+)$/i.exec(text);
    if (match) for (const id of (match[1] as string).split(',')) ids.add(id.trim().toUpperCase());
  }
  return ids;
}

/** 1 when any warning or error remains after ignores, 0 when only info (or nothing) is left. */
export function lintExitCode(results: readonly LintResult[]): 0 | 1 {
  return results.some((result) => result.findings.some((f) => f.severity === 'error' || f.severity === 'warning')) ? 1 : 0;
}

/** Plain text, one finding per line plus its fix, the way `ship lint` prints it. */
export function formatLintText(results: readonly LintResult[]): string {
  const out: string[] = [];
  let total = 0;
  for (const result of results) {
    for (const finding of result.findings) {
      total++;
      const hadolint = finding.hadolint ? ` (hadolint ${finding.hadolint})` : '';
      out.push(`${finding.file ?? result.file}:${finding.line} ${finding.severity} ${finding.id}${hadolint}: ${finding.message}`);
      out.push(`  fix: ${finding.fix}`);
    }
  }
  const files = results.length === 1 ? (results[0]?.file ?? '') : `${results.length} Dockerfiles`;
  out.push(total === 0 ? `${files}: no problems found.` : `${files}: ${total} ${total === 1 ? 'problem' : 'problems'} found.`);
  return `${out.join('\n')}\n`;
}

/** Stable JSON for `ship lint --json`: the results with each rule's summary. */
export function formatLintJson(results: readonly LintResult[]): string {
  return `${JSON.stringify(
    results.map((result) => ({
      file: result.file,
      findings: result.findings.map((finding) => ({ ...finding, rule: lintRule(finding.id)?.name })),
    })),
    null,
    2,
  )}\n`;
}
