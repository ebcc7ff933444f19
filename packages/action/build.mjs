// Bundles the action the way docker/build-push-action ships its own: `dist/index.js` (main and
// post) plus lazily loaded chunks, minified with names kept, a source map, `dist/licenses.txt`
// with the notice of everything bundled, and one copy of each package (the build fails on a
// second). The runner has no node_modules, so everything the action imports goes in, the SDK
// from its source (never a stale `packages/sdk/dist`); the cloud SDKs are chunks loaded only by
// their registry's login. Output is deterministic, so CI can rebuild it and fail on `git diff`
// (check-dist.yml). Nothing is written unless the whole build succeeds.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const outdir = here('./dist');

/**
 * Packages that two dependants pin to different copies, bundled once: the SDK's copy serves
 * both. @actions/http-client's undici 6 (only its proxy agent, which the action never uses),
 * dockerode's older tar-fs/tar-stream (only for directory contexts, which the SDK packs itself)
 * and its @grpc/proto-loader 0.7 (grpc-js's 0.8 has the same API).
 */
const SHARED = ['undici', 'tar-fs', 'tar-stream', '@grpc/proto-loader'];
const fromSdk = createRequire(here('../sdk/package.json'));
const onePackageCopy = {
  name: 'one-package-copy',
  setup(build) {
    const filter = new RegExp(`^(${SHARED.map((name) => name.replace('/', '\\/')).join('|')})(\\/.*)?$`);
    build.onResolve({ filter }, (args) => ({ path: fromSdk.resolve(args.path) }));
  },
};

const result = await build({
  entryPoints: { index: here('./src/index.ts') },
  outdir,
  write: false,
  absWorkingDir: here('.'),
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  // GitHub runs it on node24 (action.yml); it must still run on Node 20.
  target: 'node20',
  format: 'esm',
  minify: true,
  keepNames: true,
  // The map points at the sources in the repository; their text is not copied in (it is big).
  sourcemap: 'linked',
  sourcesContent: false,
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
  plugins: [onePackageCopy],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

const packages = bundledPackages(result.metafile);
const duplicates = [...packages].filter(([, dirs]) => dirs.size > 1);
if (duplicates.length > 0) {
  for (const [name, dirs] of duplicates) console.error(`${name} is bundled ${dirs.size} times: ${[...dirs].join(', ')}`);
  console.error('Each package must be bundled once: add it to SHARED in build.mjs, or align the versions.');
  process.exit(1);
}

const files = [
  ...result.outputFiles.map((file) => ({
    path: file.path,
    contents: file.path.endsWith('.map') ? ownSourcesOnly(file.text) : file.contents,
  })),
  { path: join(outdir, 'licenses.txt'), contents: licenses(packages) },
];
await rm(outdir, { recursive: true, force: true });
for (const file of files) {
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, file.contents);
}

const bytes = (filter) =>
  files.filter((file) => filter(relative(outdir, file.path))).reduce((sum, file) => sum + Buffer.byteLength(file.contents), 0);
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
console.log(
  `dist/index.js: ${mb(bytes((path) => path === 'index.js'))}; all JavaScript ${mb(bytes((path) => path.endsWith('.js')))} ` +
    `in ${files.filter((file) => file.path.endsWith('.js')).length} files; source maps ${mb(bytes((path) => path.endsWith('.map')))}; ` +
    `${packages.size} packages`,
);

/**
 * The map, kept to the action's and the SDK's own sources: a stack trace through our code maps
 * to the line in the repository; the dependencies' mappings (about nine tenths of the map) and
 * the symbol names are dropped, so the committed map stays small.
 */
function ownSourcesOnly(text) {
  const map = JSON.parse(text);
  const keep = map.sources.map((source) => !source.includes('node_modules/'));
  const newIndex = [];
  let kept = 0;
  for (const k of keep) newIndex.push(k ? kept++ : -1);
  let column = 0;
  let source = 0;
  let line = 0;
  let sourceColumn = 0;
  let out = { source: 0, line: 0, column: 0 };
  const lines = map.mappings.split(';').map((group) => {
    column = 0;
    let previousColumn = 0;
    const segments = [];
    for (const segment of group === '' ? [] : group.split(',')) {
      const fields = decodeVlq(segment);
      column += fields[0];
      if (fields.length < 4) continue;
      source += fields[1];
      line += fields[2];
      sourceColumn += fields[3];
      const target = newIndex[source];
      if (target === -1) continue;
      segments.push(encodeVlq([column - previousColumn, target - out.source, line - out.line, sourceColumn - out.column]));
      previousColumn = column;
      out = { source: target, line, column: sourceColumn };
    }
    return segments.join(',');
  });
  return JSON.stringify({
    version: 3,
    sources: map.sources.filter((_, i) => keep[i]),
    names: [],
    mappings: lines.join(';'),
  });
}

function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(values) {
  let text = '';
  for (const number of values) {
    let value = number < 0 ? (-number << 1) | 1 : number << 1;
    do {
      let digit = value & 31;
      value >>>= 5;
      if (value > 0) digit |= 32;
      text += BASE64[digit];
    } while (value > 0);
  }
  return text;
}

/** Package name -> the directories it was bundled from (more than one is a duplicate). */
function bundledPackages(metafile) {
  const found = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(@[^/]+\/[^/]+|[^/@][^/]*))\//.exec(input);
    if (!match) continue;
    const [, dir, name] = match;
    const dirs = found.get(name) ?? new Set();
    dirs.add(dir);
    found.set(name, dirs);
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One entry per bundled package, as ncc writes them for GitHub's actions: name, licence, notice. */
function licenses(packages) {
  const entries = [];
  for (const [name, dirs] of packages) {
    const dir = here(`./${[...dirs][0]}`);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const license = typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? 'UNKNOWN');
    const noticeFile = readdirSync(dir)
      .sort()
      .find((file) => /^(licen[cs]e|copying|notice)(\.|$|-)/i.test(file));
    const notice = noticeFile
      ? readFileSync(join(dir, noticeFile), 'utf8').trim()
      : `(no licence file in ${name}@${manifest.version})`;
    entries.push(`${name}@${manifest.version}\n${license}\n${notice}`);
  }
  return `${entries.join('\n\n')}\n`;
}
