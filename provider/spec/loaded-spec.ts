/**
 * A spec after validation and resolution: defaults applied, paths absolute, int64s as decimal
 * strings. This is what the planner and the resources consume.
 */
import type { AudienceFee, Consent, IdType } from "./spec-types.generated";
import { ID_TYPES as API_ID_TYPES } from "../api-vocabulary";

export type { AudienceFee, Consent, IdType };

/** The ID types in the order members are listed and patched. */
export const ID_TYPES: readonly IdType[] = API_ID_TYPES;

/** IDs written in the spec itself. */
export interface InlineMemberSource {
  kind: "inline";
  /** The IDs as written, no repeats (MAIDs compared case-insensitively); canonicalised when the set is built. */
  ids: string[];
  /** `lines[i]` is the 1-based line of `ids[i]` in the spec file. */
  lines: number[];
}

/** IDs in text files, one per line; the members are the union of all files. Not read at load time. */
export interface FilesMemberSource {
  kind: "files";
  /** Absolute paths, in spec order, each known to exist when the spec was loaded. */
  files: string[];
}

/** The externalIds of a `records:` entry (issue 6). */
export interface RecordsMemberSource {
  kind: "records";
  /** Key of the entry in `LoadedSpec.records`. */
  records: string;
}

/** What a NULL, non-text or invalid value does: stop with its row number, or be left out and counted. */
export type OnInvalid = "error" | "skip";

/** IDs in one column of a CSV file with a header row (issue 15). */
export interface CsvMemberSource {
  kind: "csv";
  /** Absolute path, known to exist when the spec was loaded. */
  file: string;
  column: string;
  /** One character. */
  delimiter: string;
  onInvalid: OnInvalid;
}

/** IDs in one text column of a Parquet file (issue 15). */
export interface ParquetMemberSource {
  kind: "parquet";
  /** Absolute path, known to exist when the spec was loaded. */
  file: string;
  column: string;
  onInvalid: OnInvalid;
}

/** IDs a SQL query returns, one text column (issue 15). */
export interface SqlMemberSource {
  kind: "sql";
  /** Key in `LoadedSpec.sources`; undefined: an in-memory DuckDB rooted at the spec's folder. */
  source?: string;
  query: string;
  onInvalid: OnInvalid;
}

/** A source read in the program before resources are declared (files, a column, a query). */
export type ReadMemberSource = FilesMemberSource | CsvMemberSource | ParquetMemberSource | SqlMemberSource;

/** Any source of IDs but records: what exclusions and the suppression list are made of. */
export type IdListSource = InlineMemberSource | ReadMemberSource;

export type MemberSource = IdListSource | RecordsMemberSource;

/** Where each ID type's members come from. A type that is absent has no members. */
export interface ResolvedMembers {
  COOKIE?: IdListSource;
  MAID?: IdListSource;
  EXTERNAL_USER_ID?: MemberSource;
}

/** IDs to remove, per ID type (an audience's `exclude:` or the spec's `suppress:`). */
export interface ResolvedExclusions {
  COOKIE?: IdListSource;
  MAID?: IdListSource;
  EXTERNAL_USER_ID?: IdListSource;
}

/** A database that `sql:` sources query (issue 15). */
export type ResolvedSqlSource =
  | {
      name: string;
      kind: "duckdb";
      /** Absolute path of the database file; undefined: in memory. */
      database?: string;
      /** Relative paths in queries start here: the spec's folder. */
      dir: string;
    }
  | {
      name: string;
      kind: "postgres";
      /** Where the connection string is: a stack config key (`dsp:warehouseUrl`) or an environment variable. */
      connection: { config: string } | { env: string };
    };

/** One audience with defaults applied. */
export interface ResolvedAudience {
  /** Stable key from the spec; the Pulumi resource name. */
  key: string;
  /** 1-based line of the key in the spec file. */
  line: number;
  /** 10–128 characters. */
  name: string;
  /** @default "" */
  description: string;
  /** int64 as decimal digits; from the audience or `defaults`. */
  advertiserId: string;
  /** @default the audience key */
  externalAudienceId: string;
  /** Seconds, 0..34300800. Undefined: not sent, Amazon's default applies. */
  ttl?: number;
  /** ISO-3166-1 alpha-2 codes, at least one. */
  dataSourceCountry: string[];
  /** Undefined: not sent. */
  audienceFees?: AudienceFee[];
  /** Sent with every membership patch. Undefined: no consent field. */
  consent?: Consent;
  /** int64 id of an existing audience to manage instead of creating one. */
  adopt?: string;
  members: ResolvedMembers;
  /** IDs removed from this audience's members. Default: none. */
  exclude: ResolvedExclusions;
}

/** A hashed-PII upload (issue 6). */
export interface ResolvedRecordsSource {
  key: string;
  /** Absolute path of the CSV, known to exist when the spec was loaded. */
  csv: string;
  idColumn?: string;
  /** @default false */
  hashed: boolean;
  externalIdSecretConfig?: string;
  minRows?: number;
  maxRows?: number;
  defaultCountry?: string;
  /** @default "aws" */
  nonAsciiLetters?: "aws" | "fold" | "expand-german" | "drop";
  /** Absolute folders the CSV must stay in (after links): the spec's folder, then `settings.allowedRoots`. */
  allowedRoots: string[];
}

/** A user-data deletion request (issue 6). */
export interface ResolvedDeletion {
  type: IdType;
  value: string;
  /** int64 as decimal digits. Undefined: all advertisers. */
  advertiserId?: string;
  /** Epoch milliseconds as decimal digits. */
  consentTime?: string;
  /** 1-based line of the entry in the spec file. */
  line: number;
}

export interface ResolvedSettings {
  /** Days, 1..397: re-assert every membership this often. Undefined: never automatically. */
  reassertAfterDays?: number;
  /** Days, 1..3650: how long sync records keep their history. Undefined: the stack setting, else the default. */
  historyRetentionDays?: number;
  /** Absolute folders besides the spec's own that ID files, CSVs and files read by SQL may be in. Default: []. */
  allowedRoots: string[];
  /** The `s3://bucket/prefix` entries of `settings.allowedRoots`, as written: the only objects `csv:` and `parquet:` may read. Default: []. */
  allowedObjectRoots: string[];
  /** Longest one SQL statement on a database server may run, in seconds. @default 300 */
  queryTimeoutSeconds: number;
}

export interface LoadedSpec {
  /** Absolute path of the spec file. */
  file: string;
  /** Absolute folder of the spec file; relative paths in the spec start here. */
  dir: string;
  version: 1;
  /** In file order. */
  audiences: ResolvedAudience[];
  /** In file order. Default: []. */
  records: ResolvedRecordsSource[];
  /** In file order. Default: []. */
  deletions: ResolvedDeletion[];
  /** Named SQL databases, in file order. Default: []. */
  sources: ResolvedSqlSource[];
  /** IDs removed from every audience (opt-outs). Default: none. */
  suppress: ResolvedExclusions;
  settings: ResolvedSettings;
}
