import { isAbsolute, relative, sep } from 'node:path';
import type { LintResult } from './lint.js';
import { LINT_RULES, type LintSeverity } from './rules.js';

/**
 * SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`): every rule in
 * `tool.driver.rules` with its help, each finding a result with a repository-relative
 * `physicalLocation` and `region.startLine`.
 */
export interface SarifOptions {
  /** Locations are made relative to this directory (the repository root); default: the current directory. */
  root?: string | undefined;
  /** The tool version shown in code scanning. */
  version?: string | undefined;
  /** Where the rules are documented (SARIF `informationUri`), e.g. the repository's docs/dockerfile.md. */
  informationUri?: string | undefined;
}

const LEVEL: Record<LintSeverity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function toSarif(results: readonly LintResult[], options: SarifOptions = {}): Record<string, unknown> {
  const root = options.root ?? process.cwd();
  const ruleIndex = new Map<string, number>(LINT_RULES.map((rule, index) => [rule.id, index]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'container-ship',
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            ...(options.version ? { semanticVersion: options.version } : {}),
            rules: LINT_RULES.map((rule) => {
              const hadolint = 'hadolint' in rule ? rule.hadolint : undefined;
              const seeAlso = hadolint ? ` Corresponds to hadolint ${hadolint}.` : '';
              return {
                id: rule.id,
                name: rule.name,
                shortDescription: { text: rule.summary },
                fullDescription: { text: rule.help },
                help: { text: `${rule.help}${seeAlso}`, markdown: `**${rule.summary}**\n\n${rule.help}${seeAlso}` },
                defaultConfiguration: { level: LEVEL[rule.severity] },
                properties: { tags: ['dockerfile', ...(rule.id === 'CS012' || rule.id === 'CS008' ? ['security'] : [])] },
              };
            }),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: results.flatMap((result) =>
          result.findings.map((finding) => ({
            ruleId: finding.id,
            ruleIndex: ruleIndex.get(finding.id) ?? 0,
            level: LEVEL[finding.severity],
            message: { text: `${finding.message} Fix: ${finding.fix}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: toUri(finding.file ?? result.file, root) },
                  region: { startLine: Math.max(1, finding.line) },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}

function toUri(file: string, root: string): string {
  const path = isAbsolute(file) ? relative(root, file) : file;
  return path.split(sep).join('/').replace(/^\.\//, '');
}
