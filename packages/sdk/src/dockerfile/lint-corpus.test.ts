import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lintDockerfileText } from './lint.js';
import { LINT_RULES, type LintBuilder } from './rules.js';

interface CorpusCase {
  mistake: string;
  hadolint: string | null;
  rule: string;
  builder?: LintBuilder;
  dockerfile: string;
}

// Common Dockerfile mistakes, one per case, each with the rule that must find it (and hadolint's id).
const corpus: CorpusCase[] = JSON.parse(readFileSync(new URL('./fixtures/lint-corpus.json', import.meta.url), 'utf8'));
const correct = readFileSync(new URL('./fixtures/correct.Dockerfile', import.meta.url), 'utf8');

describe('the mistakes corpus', () => {
  test.each(corpus.map((c) => [c.mistake, c] as const))('%s is found', (_mistake, c) => {
    const findings = lintDockerfileText(c.dockerfile, c.builder ? { builder: c.builder } : {}).findings;
    const finding = findings.find((f) => f.id === c.rule);
    expect(finding, JSON.stringify(findings)).toBeDefined();
    expect(finding?.hadolint ?? null).toBe(c.hadolint === null ? (finding?.hadolint ?? null) : c.hadolint);
  });

  test('every rule with a hadolint id is in the corpus, and the issue-17 list is covered', () => {
    const covered = new Set(corpus.map((c) => c.rule));
    const hadolintRules = LINT_RULES.filter((r) => 'hadolint' in r).map((r) => r.id);
    expect(hadolintRules.filter((id) => !covered.has(id))).toEqual([]);
    const hadolintIds = new Set(corpus.map((c) => c.hadolint));
    const asked = ['DL3000', 'DL3002', 'DL3003', 'DL3004', 'DL3011', 'DL3012', 'DL3013', 'DL3014', 'DL3018', 'DL3019'];
    const asked2 = ['DL3022', 'DL3030', 'DL3032', 'DL3033', 'DL3046', 'DL4000', 'DL4003', 'DL4004', 'DL4006'];
    expect([...asked, ...asked2].filter((id) => !hadolintIds.has(id))).toEqual([]);
  });
});

describe('a correct Dockerfile', () => {
  test('raises no warning or error (GPG_KEY, *_PREFIX, --no-deps . after the dependencies, distroless nonroot)', () => {
    const findings = lintDockerfileText(correct).findings;
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(findings.map((f) => f.id)).toContain('CS014');
    expect(findings.find((f) => f.id === 'CS014')?.severity).toBe('info');
  });
});
