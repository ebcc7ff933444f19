// Bundles the CLI into dist/: dist/ship.js (the entry bin/ship.js imports) plus chunks.
// Code splitting keeps `ship --help` light: each command, and what only it needs (dockerode,
// dockerfile-ast, zod, cloud SDKs), sits in its own chunk loaded by that command's `import()`.
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const sdkSource = here('../sdk/src/');

/** The SDK is bundled from source; its modules have no import-time side effects, so unused ones drop out. */
const sdkWithoutSideEffects = {
  name: 'sdk-side-effect-free',
  setup(build) {
    build.onResolve({ filter: /^@container-ship\/sdk$/ }, () => ({ path: `${sdkSource}index.ts`, sideEffects: false }));
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (!args.importer.startsWith(sdkSource) || args.pluginData?.resolving) return undefined;
      const result = await build.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: { resolving: true },
      });
      return result.errors.length > 0 ? undefined : { ...result, sideEffects: false };
    });
  },
};

await rm(here('./dist'), { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { ship: here('./src/bin.ts') },
  outdir: here('./dist'),
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
  plugins: [sdkWithoutSideEffects],
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
await writeFile(here('./dist/meta.json'), JSON.stringify(result.metafile));
