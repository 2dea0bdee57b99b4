/**
 * The catalog record: the spec keys of a stack's audiences as its last `pulumi up` declared them,
 * kept beside the snapshots (`records/catalog.<project>.<stack>.json`). A refresh runs without the
 * program, and its provider sees one audience at a time; this record is how it knows how many
 * audiences it has to read (its progress line's total and ETA) and which ones a slice holds.
 */
import type { SnapshotStore } from "../snapshots";

/** What the record holds. */
export interface AudienceCatalog {
  readonly v: 1;
  /** When the up that wrote it started (ISO 8601). */
  readonly at: string;
  /** The audiences' spec keys (their resource names), in spec order. */
  readonly audiences: readonly string[];
}

/** The record's name for a project's stack (their names use only the record name's characters). */
export function catalogRecordName(project: string, stack: string): string {
  return `catalog.${project}.${stack}`.replace(/[^A-Za-z0-9._-]/g, "_");
}

export async function writeCatalog(store: SnapshotStore, project: string, stack: string, audiences: readonly string[], at: Date): Promise<void> {
  const record: AudienceCatalog = { v: 1, at: at.toISOString(), audiences };
  await store.writeRecord(catalogRecordName(project, stack), record);
}

/** The stack's catalog; undefined when no up has written one (or it is not one). */
export async function readCatalog(store: SnapshotStore, project: string, stack: string): Promise<AudienceCatalog | undefined> {
  const value = (await store.readRecord(catalogRecordName(project, stack))) as Partial<AudienceCatalog> | undefined;
  if (value?.v !== 1 || !Array.isArray(value.audiences) || !value.audiences.every((k) => typeof k === "string")) return undefined;
  return value as AudienceCatalog;
}

/** Project, stack and resource name of a resource's URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function urnParts(urn: string): { stack: string; project: string; name: string } | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::.*::([^:]+)$/.exec(urn);
  return m ? { stack: m[1]!, project: m[2]!, name: m[3]! } : undefined;
}
