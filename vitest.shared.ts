import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

// Types and runtime from source in tests, so a test never runs a stale dist.
const sdkSource = fileURLToPath(new URL('./packages/sdk/src', import.meta.url));

const base = defineConfig({
  // Node 20 has no native `using`; let esbuild lower it.
  esbuild: { target: 'node20' },
  resolve: {
    // `@container-ship/sdk` and its subpaths (`/registry`, ...) to their index.ts.
    alias: [{ find: /^@container-ship\/sdk(\/[a-z]+)?$/, replacement: `${sdkSource}$1/index.ts` }],
  },
  test: {
    environment: 'node',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

/** Fast tests: pure logic, no engine. `*.test.ts` next to the code. */
export function unitConfig(extra: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    base,
    mergeConfig(
      defineConfig({
        test: {
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.itg.test.ts', '**/*.podman.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 10_000,
        },
      }),
      extra,
    ),
  );
}

/** Real-engine tests: `*.itg.test.ts`, against the test bed (`npm run testbed`). */
export function integrationConfig(extra: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    base,
    mergeConfig(
      defineConfig({
        test: {
          include: ['src/**/*.itg.test.ts', 'test/**/*.itg.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Two cores: builds are CPU-bound, so keep the engine to two files at a time.
          maxWorkers: 2,
          minWorkers: 1,
        },
      }),
      extra,
    ),
  );
}

/** `npm run test:podman`: `*.podman.test.ts`, against a `podman system service` the setup starts. */
export function podmanConfig(globalSetup: string): ViteUserConfig {
  return mergeConfig(
    base,
    defineConfig({
      test: {
        include: ['src/**/*.podman.test.ts'],
        exclude: ['**/node_modules/**', '**/dist/**'],
        globalSetup: [globalSetup],
        testTimeout: 180_000,
        hookTimeout: 180_000,
        // One engine process, one file at a time.
        maxWorkers: 1,
        minWorkers: 1,
      },
    }),
  );
}
