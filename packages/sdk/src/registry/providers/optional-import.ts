import { ShipError } from '../../errors.js';

/** Loads an optional cloud SDK only when its provider is used; a clear error names the package when it is missing. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export const dynamicImport: ModuleImporter = (specifier) => import(specifier);

export async function importOptional<T>(
  specifier: string,
  purpose: string,
  importer: ModuleImporter = dynamicImport,
): Promise<T> {
  try {
    return (await importer(specifier)) as T;
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
