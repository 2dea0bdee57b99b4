/**
 * Files a spec names: ID files of member sources and records CSVs. Collecting them is pure;
 * checking that they exist is the loader's only file-system access besides reading the spec.
 * The files are not read here: ID files can be large and are streamed when the plan is made.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";

import { ID_TYPES } from "./loaded-spec";
import type { SpecIssue } from "./spec-issue";
import { isMapping, type PathSegment } from "./spec-path";

/** A path written in the spec, where it was written, and what it resolves to. */
export interface FileReference {
  kind: "ID file" | "records CSV";
  /** As written in the spec. */
  written: string;
  /** Resolved against the spec file's folder. */
  absolute: string;
  /** The node holding the path, e.g. `audiences.a.members.MAID.file`. */
  path: PathSegment[];
}

/** Every file path in the spec data, in spec order. Values of the wrong shape are skipped. */
export function collectFileReferences(data: unknown, dir: string): FileReference[] {
  if (!isMapping(data)) return [];
  const references: FileReference[] = [];
  const add = (kind: FileReference["kind"], written: unknown, path: PathSegment[]): void => {
    if (typeof written === "string" && written !== "") references.push({ kind, written, absolute: resolve(dir, written), path });
  };
  if (isMapping(data.audiences)) {
    for (const [key, audience] of Object.entries(data.audiences)) {
      const members = isMapping(audience) ? audience.members : undefined;
      if (!isMapping(members)) continue;
      for (const type of ID_TYPES) {
        const source = members[type];
        if (!isMapping(source)) continue;
        const sourcePath = ["audiences", key, "members", type];
        add("ID file", source.file, [...sourcePath, "file"]);
        if (Array.isArray(source.files)) source.files.forEach((file: unknown, index) => add("ID file", file, [...sourcePath, "files", index]));
      }
    }
  }
  if (isMapping(data.records)) {
    for (const [key, source] of Object.entries(data.records)) {
      if (isMapping(source)) add("records CSV", source.csv, ["records", key, "csv"]);
    }
  }
  return references;
}

/** What the file system says about a path; injectable so tests need no real files. */
export type FileProbe = (absolutePath: string) => Promise<"file" | "not-a-file">;

const probeFileSystem: FileProbe = async (absolutePath) => ((await stat(absolutePath)).isFile() ? "file" : "not-a-file");

/**
 * One issue per reference whose file is missing, is not a regular file, or cannot be checked.
 * Each distinct file is probed once.
 */
export async function checkFileReferences(references: readonly FileReference[], probe: FileProbe = probeFileSystem): Promise<SpecIssue[]> {
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
  const issues = await Promise.all(
    references.map(async (reference): Promise<SpecIssue[]> => {
      const problem = await problemWith(reference.absolute);
      if (problem === undefined) return [];
      const hint = problem === "not found" && !isAbsolute(reference.written) ? " (paths are relative to the spec file's folder)" : "";
      return [{ path: reference.path, anchor: "node", message: `${reference.kind} ${problem}: ${reference.written}${hint}` }];
    }),
  );
  return issues.flat();
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
