import { ShipError } from '../../errors.js';

/** Spelled out (not `keyof typeof`), so the published types never import an optional package's types. */
export type CloudSdk = '@aws-sdk/client-ecr' | '@aws-sdk/client-ecr-public' | '@azure/identity' | 'google-auth-library';

/**
 * The cloud SDKs the registry logins use, each imported by its literal name: a bundler (the
 * action's esbuild build) sees the name and ships the package as a chunk that loads only when
 * that login runs, and for SDK users they stay optional peer dependencies, loaded from
 * node_modules on first use. An `import(variable)` would be invisible to the bundler.
 */
const CLOUD_SDKS: Record<CloudSdk, () => Promise<unknown>> = {
  '@aws-sdk/client-ecr': () => import('@aws-sdk/client-ecr'),
  '@aws-sdk/client-ecr-public': () => import('@aws-sdk/client-ecr-public'),
  '@azure/identity': () => import('@azure/identity'),
  'google-auth-library': () => import('google-auth-library'),
};

/** Loads a cloud SDK; tests swap it to see what a missing package does. */
export type ModuleImporter = (specifier: CloudSdk) => Promise<unknown>;

export const cloudSdkImport: ModuleImporter = (specifier) => CLOUD_SDKS[specifier]();

/** Loads an optional cloud SDK only when its provider is used; a clear error names the package when it is missing. */
export async function importOptional<T>(
  specifier: CloudSdk,
  purpose: string,
  importer: ModuleImporter = cloudSdkImport,
): Promise<T> {
  try {
    return namedExports(await importer(specifier)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ShipError(
        'MISSING_DEPENDENCY',
        `${purpose} needs the optional package ${specifier}; install it with 'npm install ${specifier}'.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Node's `import()` of a CommonJS package (the AWS SDK, google-auth-library) lists its named
 * exports; a bundle's chunk of it exports only `default`, the package's `module.exports`.
 */
function namedExports(namespace: unknown): unknown {
  const exports = namespace as Record<string, unknown>;
  const named = Object.keys(exports).filter((key) => key !== 'default' && key !== 'module.exports');
  return named.length === 0 && typeof exports.default === 'object' && exports.default !== null ? exports.default : namespace;
}
