/**
 * Keeping input files inside allowed folders: a spec in git must not make the program (or the
 * provider at `up` time) read a file elsewhere on the machine, directly, through `..` or through
 * a symbolic link. Paths are compared after `realpath`, so links are followed first.
 */
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** Resolves symbolic links; injectable so tests need no real links. */
export type RealPath = (absolutePath: string) => Promise<string>;

/** True when `file` is `root` itself or inside it; both absolute and already free of links. Pure. */
export function isInsideFolder(file: string, root: string): boolean {
  const rel = relative(root, file);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Thrown when an input file resolves outside every allowed folder. Names the file as written, never its content. */
export class FileOutsideRootsError extends Error {
  override readonly name = "FileOutsideRootsError";
  constructor(
    /** The file as the caller named it. */
    readonly file: string,
    /** The allowed folders as the caller named them. */
    readonly roots: readonly string[],
  ) {
    super(`${file}: resolves outside the allowed folders (${roots.join(", ")}) after symbolic links; refusing to read it`);
  }
}

/**
 * Checks that `file` (relative to `cwd`) resolves inside one of `roots` (relative to `cwd`) and
 * returns its real path; with no roots, every file is allowed.
 * @throws FileOutsideRootsError, or the `fs` error of a missing file
 */
export async function confinedPath(file: string, roots: readonly string[] | undefined, cwd: string, realPath: RealPath = realpath): Promise<string> {
  const real = await realPath(resolve(cwd, file));
  if (roots === undefined || roots.length === 0) return real;
  for (const root of roots) {
    let realRoot: string;
    try {
      realRoot = await realPath(resolve(cwd, root));
    } catch {
      continue; // a root that does not exist holds no file
    }
    if (isInsideFolder(real, realRoot)) return real;
  }
  throw new FileOutsideRootsError(file, roots);
}
