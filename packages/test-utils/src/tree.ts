import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Writes `tree` (relative path → content) under `dir` and returns `dir`: a build context in one line. */
export async function writeTree(dir: string, tree: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
