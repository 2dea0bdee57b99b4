/**
 * Files a spec names: ID files of member sources and records CSVs. Collecting them is pure;
 * checking that they exist is the loader's only file-system access besides reading the spec.
 * The files are not read here: ID files can be large and are streamed when the plan is made.
 */
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";

import { isInsideFolder, type RealPath } from "../util/confined-path";
import { ID_TYPES } from "./loaded-spec";
import type { SpecIssue } from "./spec-issue";
import { idSourceMaps } from "./id-source-nodes";
import { isMapping, type PathSegment } from "./spec-path";

/** A path written in the spec, where it was written, and what it resolves to. */
export interface FileReference {
  kind: "ID file" | "records CSV" | "CSV file" | "Parquet file" | "DuckDB database";
  /** As written in the spec. */
  written: string;
  /** Resolved against the spec file's folder. */
  absolute: string;
  /** The node holding the path, e.g. `audiences.a.members.MAID.file`. */
  path: PathSegment[];
}

/** True for `s3://bucket/key` file sources: objects, not paths in the spec's tree (checked when read). */
export function isObjectUrl(file: string): boolean {
  return /^s3:\/\//i.test(file);
}

/** Every file path in the spec data, in spec order. Values of the wrong shape and s3:// objects are skipped. */
export function collectFileReferences(data: unknown, dir: string): FileReference[] {
  if (!isMapping(data)) return [];
  const references: FileReference[] = [];
  const add = (kind: FileReference["kind"], written: unknown, path: PathSegment[]): void => {
    if (typeof written === "string" && written !== "" && !isObjectUrl(written)) references.push({ kind, written, absolute: resolve(dir, written), path });
  };
  for (const { path, sources } of idSourceMaps(data)) {
    for (const type of ID_TYPES) {
      const source = sources[type];
      if (!isMapping(source)) continue;
      const sourcePath = [...path, type];
      add("ID file", source.file, [...sourcePath, "file"]);
      if (Array.isArray(source.files)) source.files.forEach((file: unknown, index) => add("ID file", file, [...sourcePath, "files", index]));
      if (isMapping(source.csv)) add("CSV file", source.csv.file, [...sourcePath, "csv", "file"]);
      if (isMapping(source.parquet)) add("Parquet file", source.parquet.file, [...sourcePath, "parquet", "file"]);
    }
  }
  if (isMapping(data.sources)) {
    for (const [name, source] of Object.entries(data.sources)) {
      if (isMapping(source) && isMapping(source.duckdb)) add("DuckDB database", source.duckdb.database, ["sources", name, "duckdb", "database"]);
    }
  }
  if (isMapping(data.records)) {
    for (const [key, source] of Object.entries(data.records)) {
      if (isMapping(source)) add("records CSV", source.csv, ["records", key, "csv"]);
    }
  }
  return references;
}

/** A folder the spec's files may be in: the spec's own folder, or an entry of `settings.allowedRoots`. */
export interface AllowedRoot {
  /** As written in `settings.allowedRoots`; undefined for the spec's folder. */
  written: string | undefined;
  /** Resolved against the spec file's folder. */
  absolute: string;
  /** The node that names it (`settings.allowedRoots[0]`); [] for the spec's folder. */
  path: PathSegment[];
}

/** The spec's folder, then every `settings.allowedRoots` entry. Values of the wrong shape are skipped. */
export function collectAllowedRoots(data: unknown, dir: string): AllowedRoot[] {
  const roots: AllowedRoot[] = [{ written: undefined, absolute: dir, path: [] }];
  const settings = isMapping(data) ? data.settings : undefined;
  const listed = isMapping(settings) ? settings.allowedRoots : undefined;
  if (Array.isArray(listed)) {
    listed.forEach((written: unknown, index) => {
      // s3:// entries are object prefixes, not folders (see object-roots.ts).
      if (typeof written === "string" && written !== "" && !isObjectUrl(written)) roots.push({ written, absolute: resolve(dir, written), path: ["settings", "allowedRoots", index] });
    });
  }
  return roots;
}

/** What the file system says about a path; injectable so tests need no real files. */
export type FileProbe = (absolutePath: string) => Promise<"file" | "not-a-file">;

const probeFileSystem: FileProbe = async (absolutePath) => ((await stat(absolutePath)).isFile() ? "file" : "not-a-file");

/** Where files may be: the allowed folders, and how links are resolved (injectable for tests). */
export interface FileConfinement {
  roots: readonly AllowedRoot[];
  /** @default fs.realpath */
  realPath?: RealPath;
}

/**
 * One issue per reference whose file is missing, is not a regular file, cannot be checked, or
 * (with `confinement`) resolves, after symbolic links, outside every allowed folder; one per
 * allowed root that does not exist. Each distinct file is probed once.
 */
export async function checkFileReferences(references: readonly FileReference[], probe: FileProbe = probeFileSystem, confinement?: FileConfinement): Promise<SpecIssue[]> {
  const probes = new Map<string, Promise<string | undefined>>();
  const problemWith = (absolutePath: string): Promise<string | undefined> => {
    let pending = probes.get(absolutePath);
    if (pending === undefined) {
      pending = probe(absolutePath).then(
        (kind) => (kind === "file" ? undefined : "is not a regular file"),
        (error: unknown) => (errorCode(error) === "ENOENT" ? "not found" : `cannot be checked (${errorCode(error) ?? String(error)})`),
      );
      probes.set(absolutePath, pending);
    }
    return pending;
  };
  const roots = confinement === undefined ? undefined : await realRoots(confinement);
  const issues = await Promise.all(
    references.map(async (reference): Promise<SpecIssue[]> => {
      const problem = (await problemWith(reference.absolute)) ?? (roots === undefined ? undefined : await escapeFrom(reference, roots.real, confinement?.realPath ?? realpath));
      if (problem === undefined) return [];
      const hint = problem === "not found" && !isAbsolute(reference.written) ? " (paths are relative to the spec file's folder)" : "";
      const outside = problem.startsWith("resolves outside") ? "; add its folder to settings.allowedRoots to allow it" : "";
      return [{ path: reference.path, anchor: "node", message: `${reference.kind} ${problem}: ${reference.written}${hint}${outside}` }];
    }),
  );
  return [...(roots?.issues ?? []), ...issues.flat()];
}

/** The allowed folders after links, and an issue for each listed one that does not exist. */
async function realRoots(confinement: FileConfinement): Promise<{ real: Array<{ root: AllowedRoot; real: string }>; issues: SpecIssue[] }> {
  const realPath = confinement.realPath ?? realpath;
  const real: Array<{ root: AllowedRoot; real: string }> = [];
  const issues: SpecIssue[] = [];
  for (const root of confinement.roots) {
    try {
      real.push({ root, real: await realPath(root.absolute) });
    } catch (error) {
      if (root.written === undefined) throw error; // the spec's own folder: it was just read from
      const why = errorCode(error) === "ENOENT" ? "not found" : `cannot be checked (${errorCode(error) ?? String(error)})`;
      issues.push({ path: root.path, anchor: "node", message: `allowed root ${why}: ${root.written}` });
    }
  }
  return { real, issues };
}

/** Why a file that exists may not be read: it resolves outside every allowed folder; undefined when it is inside one. */
async function escapeFrom(reference: FileReference, roots: ReadonlyArray<{ root: AllowedRoot; real: string }>, realPath: RealPath): Promise<string | undefined> {
  let real: string;
  try {
    real = await realPath(reference.absolute);
  } catch (error) {
    return `cannot be checked (${errorCode(error) ?? String(error)})`;
  }
  if (roots.some((root) => isInsideFolder(real, root.real))) return undefined;
  const throughLink = roots.some((root) => isInsideFolder(reference.absolute, root.root.absolute));
  const where = roots.some((root) => root.root.written !== undefined) ? "the spec's folder and settings.allowedRoots" : "the spec's folder";
  return `resolves outside ${where}${throughLink ? " (through a symbolic link)" : ""}`;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
