/** Loads an optional client library, or says which package to install. */
import { SourceError } from "./source-error";

/**
 * `await import(name)`; a missing package becomes a SourceError naming it and what needs it.
 * @param importer `() => import("pkg")`, written at the call site so bundlers and tsc see the name
 */
export async function loadOptional<T>(name: string, neededFor: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (error instanceof Error && "code" in error && (error.code === "MODULE_NOT_FOUND" || error.code === "ERR_MODULE_NOT_FOUND") && error.message.includes(name)) {
      throw new SourceError(`${neededFor} needs the optional package ${name}: run \`npm install ${name}\``);
    }
    throw error;
  }
}
