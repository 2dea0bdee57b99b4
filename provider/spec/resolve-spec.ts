/**
 * Resolution: a schema-valid spec becomes a `LoadedSpec`. Defaults are applied, paths made
 * absolute, int64s turned into exact decimal strings. Pure; call it only when validation found
 * no errors.
 */
import { dirname, resolve } from "node:path";

import { parseRfc3339 } from "./consent-time";
import { isObjectUrl } from "./file-references";
import { int64Text } from "./int64";
import {
  ID_TYPES,
  type FilesMemberSource,
  type IdListSource,
  type InlineMemberSource,
  type LoadedSpec,
  type MemberSource,
  type ResolvedAudience,
  type ResolvedDeletion,
  type ResolvedExclusions,
  type ResolvedMembers,
  type ResolvedRecordsSource,
  type ResolvedSqlSource,
} from "./loaded-spec";
import type { SourceLocator } from "./source-locator";
import type { PathSegment } from "./spec-path";
import type { AudienceDefinition, AudienceDefaults, AudiencesSpec, CookieMembers, Deletion, Exclusions, ExternalUserIdMembers, Int64, RecordsSource, SqlSource } from "./spec-types.generated";

/** `settings.queryTimeoutSeconds` when the spec does not set it: five minutes. */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 300;

/** Builds the `LoadedSpec` for a valid spec read from `file` (absolute). */
export function resolveSpec(spec: AudiencesSpec, file: string, locator: SourceLocator): LoadedSpec {
  const dir = dirname(file);
  const defaults = spec.defaults ?? {};
  const exact = (value: Int64, path: PathSegment[]): string => int64Text(value, locator.integerText(path));
  const records = spec.records ?? {};
  const writtenRoots = spec.settings?.allowedRoots ?? [];
  const allowedRoots = writtenRoots.filter((root) => !isObjectUrl(root)).map((root) => resolve(dir, root));
  return {
    file,
    dir,
    version: 1,
    audiences: keysPresent(locator.keysInOrder(["audiences"]), spec.audiences).map(([key, audience]) =>
      resolveAudience(key, audience, defaults, { dir, locator, exact }),
    ),
    records: keysPresent(locator.keysInOrder(["records"]), records).map(([key, source]) => resolveRecordsSource(key, source, dir, [dir, ...allowedRoots])),
    deletions: (spec.deletions ?? []).map((deletion, index) => resolveDeletion(deletion, index, locator, exact)),
    sources: keysPresent(locator.keysInOrder(["sources"]), spec.sources ?? {}).map(([name, source]) => resolveSqlSource(name, source, dir)),
    suppress: resolveExclusions(spec.suppress, ["suppress"], { dir, locator, exact }),
    settings: {
      ...(spec.settings?.reassertAfterDays === undefined ? {} : { reassertAfterDays: spec.settings.reassertAfterDays }),
      ...(spec.settings?.historyRetentionDays === undefined ? {} : { historyRetentionDays: spec.settings.historyRetentionDays }),
      allowedRoots,
      allowedObjectRoots: writtenRoots.filter(isObjectUrl),
      queryTimeoutSeconds: spec.settings?.queryTimeoutSeconds ?? DEFAULT_QUERY_TIMEOUT_SECONDS,
    },
  };
}

interface ResolveContext {
  dir: string;
  locator: SourceLocator;
  exact: (value: Int64, path: PathSegment[]) => string;
}

function resolveAudience(key: string, audience: AudienceDefinition, defaults: AudienceDefaults, context: ResolveContext): ResolvedAudience {
  const path = ["audiences", key];
  const advertiser = audience.advertiserId !== undefined
    ? { value: audience.advertiserId, path: [...path, "advertiserId"] }
    : { value: defaults.advertiserId, path: ["defaults", "advertiserId"] };
  // Validation guarantees both exist, here or in defaults.
  const dataSourceCountry = audience.dataSourceCountry ?? defaults.dataSourceCountry ?? [];
  const ttl = audience.ttl ?? defaults.ttl;
  const audienceFees = audience.audienceFees ?? defaults.audienceFees;
  const consent = audience.consent ?? defaults.consent;
  return {
    key,
    line: context.locator.position(path, "key").line,
    name: audience.name,
    description: audience.description ?? "",
    advertiserId: context.exact(advertiser.value ?? "", advertiser.path),
    externalAudienceId: audience.externalAudienceId ?? key,
    ...(ttl !== undefined ? { ttl } : {}),
    dataSourceCountry: [...dataSourceCountry],
    ...(audienceFees !== undefined ? { audienceFees: audienceFees.map((fee) => ({ ...fee })) } : {}),
    ...(consent !== undefined ? { consent: structuredClone(consent) } : {}),
    ...(audience.adopt !== undefined ? { adopt: context.exact(audience.adopt, [...path, "adopt"]) } : {}),
    members: resolveMembers(audience, [...path, "members"], context),
    exclude: resolveExclusions(audience.exclude, [...path, "exclude"], context),
  };
}

function resolveExclusions(exclusions: Exclusions | undefined, path: PathSegment[], context: ResolveContext): ResolvedExclusions {
  const resolved: ResolvedExclusions = {};
  for (const type of ID_TYPES) {
    const source = exclusions?.[type];
    if (source === undefined) continue;
    const list = resolveMemberSource(source, [...path, type], context);
    // The schema has no records form here.
    if (list.kind !== "records") resolved[type] = list;
  }
  return resolved;
}

function resolveSqlSource(name: string, source: SqlSource, dir: string): ResolvedSqlSource {
  if ("postgres" in source) {
    const p = source.postgres;
    return { name, kind: "postgres", connection: "connectionConfig" in p ? { config: p.connectionConfig } : { env: p.connectionEnv } };
  }
  const database = source.duckdb.database;
  return { name, kind: "duckdb", ...(database === undefined ? {} : { database: resolve(dir, database) }), dir };
}

function resolveMembers(audience: AudienceDefinition, path: PathSegment[], context: ResolveContext): ResolvedMembers {
  const members: ResolvedMembers = {};
  for (const type of ID_TYPES) {
    const source = audience.members?.[type];
    if (source === undefined) continue;
    const resolved = resolveMemberSource(source, [...path, type], context);
    if (type === "EXTERNAL_USER_ID") members[type] = resolved;
    else if (resolved.kind !== "records") members[type] = resolved;
  }
  return members;
}

function resolveMemberSource(source: CookieMembers | ExternalUserIdMembers, path: PathSegment[], context: ResolveContext): MemberSource | IdListSource {
  if (Array.isArray(source)) {
    const inline: InlineMemberSource = { kind: "inline", ids: [...source], lines: context.locator.itemLines(path) };
    return inline;
  }
  if ("records" in source) return { kind: "records", records: source.records };
  if ("csv" in source) {
    const { file, column, delimiter, onInvalid } = source.csv;
    return { kind: "csv", file: isObjectUrl(file) ? file : resolve(context.dir, file), column, delimiter: delimiter ?? ",", onInvalid: onInvalid ?? "error" };
  }
  if ("parquet" in source) {
    const { file, column, onInvalid } = source.parquet;
    return { kind: "parquet", file: isObjectUrl(file) ? file : resolve(context.dir, file), column, onInvalid: onInvalid ?? "error" };
  }
  if ("sql" in source) {
    const { source: name, query, onInvalid } = source.sql;
    return { kind: "sql", ...(name === undefined ? {} : { source: name }), query, onInvalid: onInvalid ?? "error" };
  }
  const written = "file" in source ? [source.file] : source.files;
  const files: FilesMemberSource = { kind: "files", files: written.map((file) => resolve(context.dir, file)) };
  return files;
}

function resolveRecordsSource(key: string, source: RecordsSource, dir: string, allowedRoots: string[]): ResolvedRecordsSource {
  return {
    key,
    csv: resolve(dir, source.csv),
    ...(source.idColumn !== undefined ? { idColumn: source.idColumn } : {}),
    hashed: source.hashed ?? false,
    ...(source.externalIdSecretConfig !== undefined ? { externalIdSecretConfig: source.externalIdSecretConfig } : {}),
    ...(source.minRows !== undefined ? { minRows: source.minRows } : {}),
    ...(source.maxRows !== undefined ? { maxRows: source.maxRows } : {}),
    ...(source.defaultCountry !== undefined ? { defaultCountry: source.defaultCountry } : {}),
    ...(source.nonAsciiLetters !== undefined ? { nonAsciiLetters: source.nonAsciiLetters } : {}),
    allowedRoots,
  };
}

function resolveDeletion(deletion: Deletion, index: number, locator: SourceLocator, exact: ResolveContext["exact"]): ResolvedDeletion {
  const path = ["deletions", index];
  const consentTime = deletion.consentTime;
  return {
    type: deletion.type,
    value: deletion.value,
    ...(deletion.advertiserId !== undefined ? { advertiserId: exact(deletion.advertiserId, [...path, "advertiserId"]) } : {}),
    ...(consentTime !== undefined ? { consentTime: typeof consentTime === "number" ? String(consentTime) : String(parseRfc3339(consentTime)) } : {}),
    line: locator.position(path, "node").line,
  };
}

/** `[key, value]` pairs in document order; keys come from the YAML map because object order moves numeric keys first. */
function keysPresent<T>(orderedKeys: readonly string[], map: Record<string, T>): Array<[string, T]> {
  return orderedKeys.flatMap((key): Array<[string, T]> => {
    const value = map[key];
    return value === undefined ? [] : [[key, value]];
  });
}
