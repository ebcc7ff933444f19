type Undici = typeof import('undici');

/**
 * undici (about 1 MB) loads with the first HTTP request (a registry call, a smoke probe, an ACR
 * token exchange), not with the SDK's entry points: importing the SDK, or bundling a command
 * that never sends one, does not pull it in. It is CommonJS: a bundle's chunk of it exports only
 * `default` (its `module.exports`), which Node's own `import()` gives too.
 */
export async function loadUndici(): Promise<Undici> {
  const loaded = (await import('undici')) as Undici & { default?: Undici };
  return loaded.default ?? loaded;
}
