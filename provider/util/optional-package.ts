/**
 * Packages the library needs only for some features (SQL and Parquet sources, PostgreSQL, S3):
 * optional peer dependencies, so an install without them stays small. Loading one that is not
 * installed says which package to install and which feature needs it.
 */

/** A feature's optional package is not installed. */
export class MissingPackageError extends Error {
  override name = "MissingPackageError";

  /**
   * @param packageName the npm package to install, e.g. `pg`
   * @param neededFor what needs it, e.g. `SQL source warehouse`
   */
  constructor(
    readonly packageName: string,
    readonly neededFor: string,
  ) {
    super(`${neededFor} needs the optional package ${packageName}: run \`npm install ${packageName}\``);
  }
}

/**
 * True when `error` says that the package `name` itself cannot be found (CommonJS
 * `Cannot find module 'x'`, ESM `Cannot find package 'x'`); a package that is installed but
 * broken, or a file missing inside it, is not this.
 */
export function isPackageMissing(error: unknown, name: string): boolean {
  if (!(error instanceof Error) || !("code" in error)) return false;
  return (error.code === "MODULE_NOT_FOUND" || error.code === "ERR_MODULE_NOT_FOUND") && error.message.includes(`'${name}'`);
}

/**
 * `await import(name)`; a missing package becomes a MissingPackageError naming it and what needs it.
 * @param importer `() => import("pkg")`, written at the call site so bundlers and tsc see the name
 */
export async function loadOptional<T>(name: string, neededFor: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (isPackageMissing(error, name)) throw new MissingPackageError(name, neededFor);
    throw error;
  }
}

/**
 * `require(name)` for code that cannot wait (a store's first request); otherwise as {@link loadOptional}.
 * @param load `() => require("pkg")`, written at the call site
 */
export function requireOptional<T>(name: string, neededFor: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (isPackageMissing(error, name)) throw new MissingPackageError(name, neededFor);
    throw error;
  }
}
