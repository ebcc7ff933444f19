import { describe, expect, test } from 'vitest';
import { lintDockerfileText } from './lint.js';
import { LINT_RULES } from './rules.js';
import { toSarif } from './sarif.js';

interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: {
      driver: { name: string; rules: Array<{ id: string; help: { text: string }; defaultConfiguration: { level: string } }> };
    };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
    }>;
  }>;
}

describe('toSarif', () => {
  const result = lintDockerfileText('FROM python\nRUN pip install flask\nRUN apt-get install -y curl=1\n', {
    file: '/repo/examples/app/Dockerfile',
    dockerignore: '.git\n',
    dockerignorePath: '/repo/examples/app/.dockerignore',
  });
  const sarif = toSarif([result], { root: '/repo' }) as unknown as SarifLog;
  const run = sarif.runs[0];

  test('is a SARIF 2.1.0 log with every rule and its help', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(run?.tool.driver.name).toBe('container-ship');
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(LINT_RULES.map((r) => r.id));
    const cs003 = run?.tool.driver.rules.find((r) => r.id === 'CS003');
    expect(cs003?.help.text).toContain('--no-cache-dir');
    expect(cs003?.help.text).toContain('hadolint DL3042');
  });

  test('each finding is a result with a repository-relative location, line and mapped level', () => {
    expect(run?.results).toHaveLength(result.findings.length);
    const pip = run?.results.find((r) => r.ruleId === 'CS003');
    expect(pip?.level).toBe('warning');
    expect(pip?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'examples/app/Dockerfile' },
      region: { startLine: 2 },
    });
    expect(run?.tool.driver.rules[pip?.ruleIndex ?? -1]?.id).toBe('CS003');
    expect(run?.results.find((r) => r.ruleId === 'CS005')?.level).toBe('note');
    expect(run?.results.find((r) => r.ruleId === 'CS016')?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'examples/app/.dockerignore',
    );
    for (const r of run?.results ?? []) expect(r.locations[0]?.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
  });

  test('relative paths stay as given and no findings give an empty results array', () => {
    const clean = toSarif([{ file: './Dockerfile', findings: [] }]) as unknown as SarifLog;
    expect(clean.runs[0]?.results).toEqual([]);
    const one = toSarif([
      { file: './Dockerfile', findings: [{ id: 'CS009', severity: 'warning', line: 4, message: 'm.', fix: 'f.' }] },
    ]) as unknown as SarifLog;
    expect(one.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('Dockerfile');
    expect(one.runs[0]?.results[0]?.message.text).toBe('m. Fix: f.');
  });
});
