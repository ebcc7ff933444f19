// Bundles the CLI into dist/: dist/ship.js (the entry bin/ship.js imports) plus chunks.
// Code splitting keeps `ship --help` light: each command, and what only it needs, sits in chunks
// loaded by that command's `import()`. esbuild puts a file in every chunk whose entry point can
// reach it through static imports, live or not, so the CLI's start-up path imports no SDK code
// at run time (see main.ts), and the SDK reaches dockerode, gRPC and the cloud SDKs only through
// `import()`: a command that imports an SDK entry point gets the SDK's light code, and the engine
// client only when it calls the engine. test/lazy-load.itg.test.ts holds both to that.
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
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
  // The SDK from its source (its entry points are index.ts files), never a stale packages/sdk/dist.
  alias: { '@container-ship/sdk': here('../sdk/src') },
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
