// Bundles the action into ONE committed file, `dist/index.js`, that serves both `main:` and
// `post:`. The runner has no node_modules, so everything the action imports goes in, the SDK
// from its source (never a stale `packages/sdk/dist`). Output is deterministic, so CI can
// rebuild it and fail on `git diff` (check-dist.yml). esbuild writes only on success, so a
// failed build (an SDK file mid-edit) leaves the committed bundle in place.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const result = await build({
  entryPoints: [here('./src/index.ts')],
  outfile: here('./dist/index.js'),
  absWorkingDir: here('.'),
  bundle: true,
  platform: 'node',
  // GitHub runs it on node24 (action.yml); it must still run on Node 20.
  target: 'node20',
  format: 'esm',
  alias: { '@container-ship/sdk': here('../sdk/src') },
  // Bundled CommonJS dependencies (dockerode and friends) call require() and __dirname.
  banner: {
    js: [
      "import { createRequire as __shipCreateRequire } from 'node:module';",
      "import { dirname as __shipDirname } from 'node:path';",
      "import { fileURLToPath as __shipFileURLToPath } from 'node:url';",
      'const require = __shipCreateRequire(import.meta.url);',
      'const __filename = __shipFileURLToPath(import.meta.url);',
      'const __dirname = __shipDirname(__filename);',
    ].join('\n'),
  },
  // ssh2's optional native addons: it falls back to pure JS when they cannot be loaded.
  external: ['cpu-features', '*.node'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`dist/index.js: ${(bytes / 1e6).toFixed(2)} MB`);
