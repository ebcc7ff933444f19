// Bundles the CLI into dist/: dist/ship.js (the entry bin/ship.js imports) plus chunks.
// Code splitting keeps `ship --help` light: each command, and what only it needs (dockerode,
// dockerfile-ast, zod, cloud SDKs), sits in its own chunk loaded by that command's `import()`.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const sdkSource = here('../sdk/src/');

/**
 * The SDK is bundled from source. esbuild's code splitting assigns whole files to chunks by
 * which entry points reach them, and an entry point that re-exports many files reaches every
 * one, so importing it would put dockerode, gRPC, zod and undici into the chunk `ship --help`
 * loads. This plugin rewrites each `import { a, b } from '@container-ship/sdk'` (or a subpath,
 * `@container-ship/sdk/registry`) in the CLI to imports from the SDK files that define `a` and
 * `b`, read from the entry points' `export { ... } from` lines. The source keeps using the public
 * API; the bundle gets one chunk per command and what it needs.
 */
const ENTRY_POINTS = ['index.ts', 'registry/index.ts', 'dockerfile/index.ts', 'config/index.ts', 'tags/index.ts'];

async function sdkExportMap() {
  const map = new Map();
  for (const entry of ENTRY_POINTS) {
    const specifier = entry === 'index.ts' ? '@container-ship/sdk' : `@container-ship/sdk/${entry.replace('/index.ts', '')}`;
    const dir = `${sdkSource}${entry.replace(/index\.ts$/, '')}`;
    const index = await readFile(`${sdkSource}${entry}`, 'utf8');
    const names = new Map();
    for (const match of index.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
      if (match[1]) continue;
      for (const raw of match[2].split(',')) {
        const name = raw.trim();
        if (name === '' || name.startsWith('type ')) continue;
        const [imported, exported = imported] = name.split(/\s+as\s+/);
        names.set(exported, { file: join(dir, match[3].replace(/\.js$/, '.ts')), imported });
      }
    }
    map.set(specifier, names);
  }
  return map;
}

const sdkImportsPerFile = {
  name: 'sdk-imports-per-file',
  setup(build) {
    const exportsOf = sdkExportMap();
    build.onLoad({ filter: /packages\/cli\/src\/.*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes("'@container-ship/sdk")) return undefined;
      const map = await exportsOf;
      const contents = source.replace(
        /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@container-ship\/sdk(?:\/[a-z]+)?)';/g,
        (_all, typeOnly, names, specifier) => {
          if (typeOnly) return '';
          const lines = [];
          for (const raw of names.split(',')) {
            const name = raw.trim();
            if (name === '' || name.startsWith('type ')) continue;
            const [imported, local = imported] = name.split(/\s+as\s+/);
            const origin = map.get(specifier)?.get(imported);
            if (!origin) throw new Error(`${args.path}: '${imported}' is not exported by ${specifier}`);
            lines.push(`import { ${origin.imported} as ${local} } from ${JSON.stringify(origin.file)};`);
          }
          return lines.join('\n');
        },
      );
      return { contents, loader: 'ts' };
    });
  },
};

// A test that runs several real `ship` processes builds its own copy (under node_modules/.cache,
// where the externals still resolve), so it never races another test rebuilding dist/.
const outdir = process.env.SHIP_CLI_OUTDIR ?? here('./dist');
await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { ship: here('./src/bin.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [sdkImportsPerFile],
  external: [
    // dockerode's optional native pieces: ssh2 (ssh:// DOCKER_HOST) and its cpu-features addon.
    'ssh2',
    'cpu-features',
    // Cloud SDKs are optional dependencies, loaded from node_modules only for their provider's login.
    '@aws-sdk/*',
    '@azure/*',
    'google-auth-library',
  ],
  // Bundled CommonJS (dockerode and friends) calls require(); ESM has none, so provide one.
  banner: {
    js: "import { createRequire as __shipCreateRequire } from 'node:module';\nconst require = __shipCreateRequire(import.meta.url);",
  },
});
await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
