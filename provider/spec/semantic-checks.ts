/**
 * Checks JSON Schema cannot express: rules across audiences, inheritance from `defaults`,
 * int64 range, repeated inline IDs, references between sections and real calendar dates.
 *
 * They run on plain data even when the schema found errors, so one run reports everything.
 * Each check skips values of the wrong shape: the schema already reports those.
 */
import { parseRfc3339 } from "./consent-time";
import { INT64_MAX, int64Text } from "./int64";
import { ID_TYPES } from "./loaded-spec";
import type { SourceLocator } from "./source-locator";
import type { SpecIssue } from "./spec-issue";
import { formatSpecPath, isMapping, type PathSegment } from "./spec-path";
import { SPEC_SCHEMA } from "./spec-schema";
import { idSourceMaps } from "./id-source-nodes";
import { checkObjectSources } from "./object-roots";

/** An audience entry that is a mapping, with its key and path. */
interface AudienceEntry {
  key: string;
  path: PathSegment[];
  fields: Record<string, unknown>;
}

/** Every semantic issue in the spec data, grouped by check. */
export function checkSpecSemantics(data: unknown, locator: SourceLocator): SpecIssue[] {
  if (!isMapping(data)) return [];
  const defaults = isMapping(data.defaults) ? data.defaults : {};
  const audiences = audienceEntries(data.audiences, locator);
  return [
    ...checkInt64Ranges(data, audiences, locator),
    ...checkInheritedRequiredFields(audiences, defaults),
    ...checkUniqueExternalAudienceIds(audiences, defaults, locator),
    ...checkUniqueAdoptIds(audiences, locator),
    ...audiences.flatMap((audience) => checkInlineDuplicates(audience, locator)),
    ...checkRecordsReferences(audiences, data.records, locator),
    ...checkRowLimits(data.records),
    ...checkSqlSourceNames(data, locator),
    ...checkObjectSources(data),
    ...checkConsentTimes(data.deletions),
  ];
}

function audienceEntries(audiences: unknown, locator: SourceLocator): AudienceEntry[] {
  if (!isMapping(audiences)) return [];
  return locator.keysInOrder(["audiences"]).flatMap((key) => {
    const fields = audiences[key];
    return isMapping(fields) ? [{ key, path: ["audiences", key], fields }] : [];
  });
}

/** The schema caps int64 strings at 19 digits; YAML integers of any length and 19-digit values above 2^63-1 are caught here. */
function checkInt64Ranges(data: Record<string, unknown>, audiences: AudienceEntry[], locator: SourceLocator): SpecIssue[] {
  const fields: Array<{ value: unknown; path: PathSegment[] }> = [];
  if (isMapping(data.defaults)) fields.push({ value: data.defaults.advertiserId, path: ["defaults", "advertiserId"] });
  for (const audience of audiences) {
    fields.push({ value: audience.fields.advertiserId, path: [...audience.path, "advertiserId"] });
    fields.push({ value: audience.fields.adopt, path: [...audience.path, "adopt"] });
  }
  if (Array.isArray(data.deletions)) {
    data.deletions.forEach((deletion: unknown, index) => {
      if (isMapping(deletion)) fields.push({ value: deletion.advertiserId, path: ["deletions", index, "advertiserId"] });
    });
  }
  return fields.flatMap(({ value, path }): SpecIssue[] => {
    const form = inexactNumberForm(value, locator.numberSource(path));
    if (form !== undefined) {
      return [{ path, anchor: "node", message: `must be written as plain decimal digits, got ${form}; write the exact digits (quoted or not), e.g. "5840142710901"` }];
    }
    const digits = exactInt64(value, path, locator);
    const shapedLikeInt64 = typeof value === "string" ? /^[1-9][0-9]{0,18}$/.test(value) : digits !== undefined && /^[1-9][0-9]*$/.test(digits);
    if (digits === undefined || !shapedLikeInt64 || BigInt(digits) <= INT64_MAX) return [];
    return [{ path, anchor: "node", message: `must be at most ${INT64_MAX} (the largest 64-bit integer), got ${digits}` }];
  });
}

/**
 * Why a YAML number cannot stand for an int64 exactly, or undefined when it can (or when it is
 * not a number at all, or not an integer: the schema reports those). YAML reads `9.007e15` and
 * `9007199254740993.0` as floats, rounded to 53 bits, and `0x…`, `0o…`, `+…` or `0…` as integers
 * written in a way the schema's "digits only" rules out.
 */
function inexactNumberForm(value: unknown, written: { text: string; integer: boolean } | undefined): string | undefined {
  if (written === undefined || typeof value !== "number" || !Number.isInteger(value)) return undefined;
  const text = written.text.trim();
  if (!written.integer) return /[eE]/.test(text) ? "a number with an exponent, which YAML rounds" : "a floating-point number, which YAML rounds";
  if (/^[-+]?0[xX]/.test(text)) return "a hexadecimal number";
  if (/^[-+]?0[oO]/.test(text)) return "an octal number";
  if (/^[-+]/.test(text) && !text.startsWith("-")) return "a number with a sign";
  if (/^-?0[0-9]/.test(text)) return "a number with a leading zero";
  return /^-?[0-9]+$/.test(text) ? undefined : "a number in another notation";
}

function checkInheritedRequiredFields(audiences: AudienceEntry[], defaults: Record<string, unknown>): SpecIssue[] {
  return audiences.flatMap((audience) =>
    ["advertiserId", "dataSourceCountry"]
      .filter((field) => audience.fields[field] === undefined && defaults[field] === undefined)
      .map((field): SpecIssue => ({ path: audience.path, anchor: "node", message: `missing ${field}; set it here or in defaults` })),
  );
}

/** Amazon treats externalAudienceId as unique per advertiser, so two audiences must not share one. */
function checkUniqueExternalAudienceIds(audiences: AudienceEntry[], defaults: Record<string, unknown>, locator: SourceLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const firstUse = new Map<string, { key: string; line: number }>();
  for (const audience of audiences) {
    const explicit = audience.fields.externalAudienceId;
    const externalId = explicit === undefined ? audience.key : explicit;
    const advertiserPath = audience.fields.advertiserId === undefined ? ["defaults", "advertiserId"] : [...audience.path, "advertiserId"];
    const advertiserId = exactInt64(audience.fields.advertiserId ?? defaults.advertiserId, advertiserPath, locator);
    if (typeof externalId !== "string" || advertiserId === undefined) continue;
    const path = explicit === undefined ? audience.path : [...audience.path, "externalAudienceId"];
    const line = locator.position(path, "node").line;
    const identity = `${advertiserId}/${externalId}`;
    const first = firstUse.get(identity);
    if (first === undefined) {
      firstUse.set(identity, { key: audience.key, line });
    } else {
      const message = `externalAudienceId "${externalId}" is already used by ${formatSpecPath(["audiences", first.key])} on line ${first.line} (advertiser ${advertiserId}); it must be unique per advertiser`;
      issues.push({ path: explicit === undefined ? audience.path : path, anchor: "node", message });
    }
  }
  return issues;
}

/** Two entries managing one existing audience would fight over it. */
function checkUniqueAdoptIds(audiences: AudienceEntry[], locator: SourceLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const firstUse = new Map<string, { key: string; line: number }>();
  for (const audience of audiences) {
    const path = [...audience.path, "adopt"];
    const adopt = exactInt64(audience.fields.adopt, path, locator);
    if (adopt === undefined) continue;
    const first = firstUse.get(adopt);
    if (first === undefined) firstUse.set(adopt, { key: audience.key, line: locator.position(path, "node").line });
    else issues.push({ path, anchor: "node", message: `audience ${adopt} is already adopted by ${formatSpecPath(["audiences", first.key])} on line ${first.line}` });
  }
  return issues;
}

/** A repeated ID is almost always a copy-paste slip. MAIDs repeat case-insensitively: AAID and IDFA spellings differ only in case. */
function checkInlineDuplicates(audience: AudienceEntry, locator: SourceLocator): SpecIssue[] {
  const members = audience.fields.members;
  if (!isMapping(members)) return [];
  return ID_TYPES.flatMap((type) => {
    const ids = members[type];
    if (!Array.isArray(ids)) return [];
    const listPath = [...audience.path, "members", type];
    const lines = locator.itemLines(listPath);
    const firstIndex = new Map<string, number>();
    const issues: SpecIssue[] = [];
    ids.forEach((id: unknown, index) => {
      if (typeof id !== "string") return;
      const identity = type === "MAID" ? id.toLowerCase() : id;
      const first = firstIndex.get(identity);
      if (first === undefined) {
        firstIndex.set(identity, index);
        return;
      }
      const caseNote = type === "MAID" && ids[first] !== id ? " (MAIDs compare case-insensitively)" : "";
      issues.push({ path: [...listPath, index], anchor: "node", message: `duplicate ID: same as item [${first}] on line ${lines[first] ?? 0}${caseNote}` });
    });
    return issues;
  });
}

function checkRecordsReferences(audiences: AudienceEntry[], records: unknown, locator: SourceLocator): SpecIssue[] {
  const defined = isMapping(records) ? locator.keysInOrder(["records"]) : [];
  return audiences.flatMap((audience) => {
    const source = isMapping(audience.fields.members) ? audience.fields.members.EXTERNAL_USER_ID : undefined;
    if (!isMapping(source) || typeof source.records !== "string" || defined.includes(source.records)) return [];
    const known = records === undefined ? "the spec has no records: section" : `defined: ${defined.length > 0 ? defined.join(", ") : "none"}`;
    const path = [...audience.path, "members", "EXTERNAL_USER_ID", "records"];
    return [{ path, anchor: "node", message: `no records entry named "${source.records}"; ${known}` }];
  });
}

function checkRowLimits(records: unknown): SpecIssue[] {
  if (!isMapping(records)) return [];
  return Object.entries(records).flatMap(([key, source]): SpecIssue[] => {
    if (!isMapping(source) || typeof source.minRows !== "number" || typeof source.maxRows !== "number") return [];
    if (source.maxRows >= source.minRows) return [];
    return [{ path: ["records", key, "maxRows"], anchor: "node", message: `must be at least minRows (${source.minRows}), got ${source.maxRows}` }];
  });
}

/** The schema checks the date-time's shape; only a calendar knows that 2026-02-30 does not exist. */
function checkConsentTimes(deletions: unknown): SpecIssue[] {
  if (!Array.isArray(deletions)) return [];
  const shape = consentTimeShape();
  return deletions.flatMap((deletion: unknown, index): SpecIssue[] => {
    if (!isMapping(deletion) || typeof deletion.consentTime !== "string") return [];
    if (!shape.test(deletion.consentTime) || parseRfc3339(deletion.consentTime) !== undefined) return [];
    return [{ path: ["deletions", index, "consentTime"], anchor: "node", message: `is not a real date: ${deletion.consentTime.slice(0, 10)}` }];
  });
}

/** The schema's own date-time pattern, so the two checks never disagree about the shape. */
function consentTimeShape(): RegExp {
  const definitions = (SPEC_SCHEMA as { $defs: { ConsentTime: { pattern: string } } }).$defs;
  return new RegExp(definitions.ConsentTime.pattern, "u");
}

/** Exact digits of an int64-shaped value (string or YAML integer); undefined for other shapes. */
function exactInt64(value: unknown, path: PathSegment[], locator: SourceLocator): string | undefined {
  if (typeof value === "string") return /^[0-9]+$/.test(value) ? value : undefined;
  if (typeof value === "number" && Number.isInteger(value)) return int64Text(value, locator.integerText(path));
  return undefined;
}

/** Every `sql: { source }` names an entry of `sources:`. */
function checkSqlSourceNames(data: Record<string, unknown>, locator: SourceLocator): SpecIssue[] {
  const defined = isMapping(data.sources) ? locator.keysInOrder(["sources"]) : [];
  return idSourceMaps(data).flatMap(({ path, sources }) =>
    Object.entries(sources).flatMap(([type, source]): SpecIssue[] => {
      const sql = isMapping(source) ? source.sql : undefined;
      if (!isMapping(sql) || typeof sql.source !== "string" || defined.includes(sql.source)) return [];
      return [{ path: [...path, type, "sql", "source"], anchor: "node", message: `no sources entry named "${sql.source}"; defined: ${defined.length > 0 ? defined.join(", ") : "none"}` }];
    }),
  );
}
