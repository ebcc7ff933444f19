import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_KEY_WORDS, SECRET_NAME_ENDINGS, SECRET_NAME_WORDS, SECRET_REFERENCE_SUFFIXES } from '@container-ship/sdk';
import { repoRoot } from '@container-ship/test-utils';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const actionYml = parse(read('action.yml')) as {
  inputs: Record<string, { description?: string; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post: string };
};

/** Names the source passes to a core function, e.g. every `core.getInput('...')`. */
function namesIn(file: string, call: string): string[] {
  return [...read(file).matchAll(new RegExp(`core\\.${call}\\('([a-z0-9-]+)'`, 'g'))].map((match) => match[1] ?? '');
}

test('action.yml declares exactly the inputs inputs.ts reads, each documented', () => {
  expect(Object.keys(actionYml.inputs).sort()).toEqual([...new Set(namesIn('packages/action/src/inputs.ts', 'getInput'))].sort());
  for (const [name, input] of Object.entries(actionYml.inputs)) expect(input.description, name).toBeTruthy();
  expect(actionYml.inputs.push?.default).toBe('auto');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
  expect(actionYml.inputs['github-token']?.default).toBe('${{ github.token }}');
});

test('action.yml declares exactly the outputs main.ts sets', () => {
  expect(Object.keys(actionYml.outputs).sort()).toEqual([...new Set(namesIn('packages/action/src/main.ts', 'setOutput'))].sort());
});

test('main and post run the one committed bundle on node24', () => {
  expect(actionYml.runs).toEqual({
    using: 'node24',
    main: 'packages/action/dist/index.js',
    post: 'packages/action/dist/index.js',
  });
});

describe.each(['check-dist.yml', 'example.yml', 'release.yml'])('.github/workflows/%s', (name) => {
  const text = read(`.github/workflows/${name}`);
  const workflow = parse(text) as { permissions?: unknown; jobs: Record<string, { permissions?: unknown }> };

  test('pins every third-party action by full commit SHA', () => {
    const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)/gm)].map((match) => match[1] ?? '');
    expect(uses.length).toBeGreaterThan(0);
    for (const ref of uses) expect(ref, ref).toMatch(/^(\.\/.*|[\w.-]+\/[\w./-]+@[0-9a-f]{40})$/);
  });

  test('declares permissions at the top, narrowed per job where it writes', () => {
    expect(workflow.permissions).toBeDefined();
    const top = workflow.permissions;
    if (typeof top === 'object' && top !== null && Object.keys(top).length === 0) {
      for (const [job, spec] of Object.entries(workflow.jobs)) expect(spec.permissions, job).toBeDefined();
    }
  });
});

test('the build-args description states the SDK’s secret-name rule, word for word lists', () => {
  const description = (actionYml.inputs['build-args']?.description ?? '').replace(/\s+/g, ' ');
  const list = (words: readonly string[]) => `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
  expect(description).toContain(`a word ${list(SECRET_NAME_WORDS)}`);
  expect(description).toContain(`ending in ${list(SECRET_NAME_ENDINGS)}`);
  expect(description).toContain(`last word is ${list(SECRET_REFERENCE_SUFFIXES)}`);
  expect(description).toContain(`a word ${list(PUBLIC_KEY_WORDS)}`);
});
