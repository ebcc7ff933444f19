import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';

// `npx @github/local-action run . packages/action/src/main.ts .env` imports main.ts and calls its
// exported `run()`, the convention of GitHub's TypeScript action template.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'i13-entry-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

test('main.ts exports run() as the entry and importing it starts nothing', async () => {
  const stateFile = join(dir, 'state');
  await writeFile(stateFile, '');
  vi.stubEnv('GITHUB_STATE', stateFile);
  const write = vi.spyOn(process.stdout, 'write');
  const entry = await import('../src/main.js');
  expect(Object.keys(entry)).toEqual(['run']);
  expect(entry.run).toBeTypeOf('function');
  expect(entry.run.length).toBe(0);
  // run() saves `isPost` first thing; nothing was saved or printed, so the import did not start it.
  expect(await readFile(stateFile, 'utf8')).toBe('');
  expect(write).not.toHaveBeenCalled();
  write.mockRestore();
});

test('the bundle entry calls run() for the main step', async () => {
  const index = await readFile(new URL('../src/index.ts', import.meta.url), 'utf8');
  expect(index).toMatch(/import \{ run \} from '\.\/main\.js'/);
  expect(index).toMatch(/isPost \? post\(\) : run\(\)/);
});
