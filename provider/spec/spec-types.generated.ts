// DO NOT EDIT: generated from schema/audiences.schema.json by schema/generate-types.ts.
// Regenerate with: npx ts-node --transpile-only schema/generate-types.ts
//
// These types describe a spec document that passed schema validation. YAML integers arrive as
// numbers, approximate above 2^53; int64 fields (`string | number`) take their exact digits from
// the YAML node (SourceLocator.integerText), which is what LoadedSpec carries.

/**
 * dsp-audiences spec, version 1: which Amazon DSP data-provider audiences exist and which IDs
 * (COOKIE, MAID, EXTERNAL_USER_ID) belong to each. `pulumi preview` shows the change this file
 * implies; `pulumi up` applies it.
 */
export interface AudiencesSpec {
  /**
   * Spec format version. Only 1 exists.
   */
  version: 1;
  /**
   * Values every audience inherits unless it sets its own. An audience value replaces the default
   * as a whole (lists are not merged). Default: no defaults.
   */
  defaults?: AudienceDefaults;
  /**
   * The audiences to manage, keyed by a stable key. The key is the Pulumi resource name: renaming
   * it replaces the audience. Order is kept.
   */
  audiences: Record<string, AudienceDefinition>;
  /**
   * Named databases that `sql:` member sources query, keyed by a stable name. Default: none (a
   * `sql:` source without `source` uses an in-memory DuckDB).
   */
  sources?: Record<string, SqlSource>;
  /**
   * Suppression list (opt-outs) per ID type: these IDs are removed from every audience, and
   * preview counts them per membership. Default: none.
   */
  suppress?: Exclusions;
  /**
   * Hashed-PII uploads (POST /dp/records/hashed), keyed by a stable key that
   * `members.EXTERNAL_USER_ID: { records: <key> }` refers to. Only records whose hashes changed
   * are uploaded again; raw PII never leaves this machine. Default: none.
   */
  records?: Record<string, RecordsSource>;
  /**
   * User-data deletion requests (PATCH /v2/dp/users), each sent once and recorded with its
   * requestId; removing an entry undoes nothing. Default: none.
   */
  deletions?: Deletion[];
  /**
   * Tool settings. Default: all defaults.
   */
  settings?: Settings;
}

/**
 * Stable key: 1–63 characters of lowercase letters, digits and "-", starting with a letter or
 * digit.
 */
export type ResourceKey = string;

/**
 * Values every audience inherits unless it sets its own. An audience value replaces the default as
 * a whole (lists are not merged). Default: no defaults.
 */
export interface AudienceDefaults {
  /**
   * Default DSP advertiser id for audiences that set none. A positive 64-bit integer, written as a
   * quoted string ("5840142710901") or a YAML integer. YAML integers are read losslessly, so
   * values above 2^53 keep every digit. Range 1..9223372036854775807.
   */
  advertiserId?: Int64;
  /**
   * Countries the data comes from: ISO-3166-1 alpha-2 codes, at least one, no repeats. Wrong
   * countries lower match rates. Required here or in defaults.
   */
  dataSourceCountry?: CountryList;
  /**
   * How long Amazon keeps each ID in the audience after it was last sent, in seconds, 0..34300800
   * (397 days). Default: not sent, so Amazon applies its own default.
   */
  ttl?: TtlSeconds;
  /**
   * Data fees charged when the audience is used. The currency must be the DSP account's default
   * currency. Default: no fees.
   */
  audienceFees?: AudienceFees;
  /**
   * Consent sent with every membership patch of the audience. Give exactly the kind named by
   * consentType. Default: no consent field.
   */
  consent?: Consent;
}

/**
 * One data-provider audience (POST/PUT /v2/dp/audiencemetadata) and its members (PATCH
 * /v2/dp/audience).
 */
export interface AudienceDefinition {
  /**
   * Audience name shown in Amazon DSP, 10–128 characters. The API does not allow changing it after
   * creation.
   */
  name: string;
  /**
   * Free text, 0–1000 characters. Default: "" (empty).
   * @default ""
   */
  description?: string;
  /**
   * Your own id for the audience, 1–128 characters (our limit; the API documents none). Must be
   * unique per advertiser within this spec. The API does not allow changing it after creation.
   * Default: the audience key.
   */
  externalAudienceId?: string;
  /**
   * DSP advertiser that owns the audience. Required here or in defaults. The API does not allow
   * changing it after creation. A positive 64-bit integer, written as a quoted string
   * ("5840142710901") or a YAML integer. YAML integers are read losslessly, so values above 2^53
   * keep every digit. Range 1..9223372036854775807.
   */
  advertiserId?: Int64;
  /**
   * How long Amazon keeps each ID in the audience after it was last sent, in seconds, 0..34300800
   * (397 days). Default: not sent, so Amazon applies its own default.
   */
  ttl?: TtlSeconds;
  /**
   * Countries the data comes from: ISO-3166-1 alpha-2 codes, at least one, no repeats. Wrong
   * countries lower match rates. Required here or in defaults.
   */
  dataSourceCountry?: CountryList;
  /**
   * Data fees charged when the audience is used. The currency must be the DSP account's default
   * currency. Default: no fees.
   */
  audienceFees?: AudienceFees;
  /**
   * Consent sent with every membership patch of the audience. Give exactly the kind named by
   * consentType. Default: no consent field.
   */
  consent?: Consent;
  /**
   * Id of an existing audience to manage instead of creating one (`pulumi import` does not work
   * for dynamic providers). Default: create a new audience. A positive 64-bit integer, written as
   * a quoted string ("5840142710901") or a YAML integer. YAML integers are read losslessly, so
   * values above 2^53 keep every digit. Range 1..9223372036854775807.
   */
  adopt?: Int64;
  /**
   * Who belongs to the audience, per ID type. Each type is an inline list, an ID file, several ID
   * files (their union) or, for EXTERNAL_USER_ID only, a records upload. ID types left out have no
   * members. Default: no members.
   */
  members?: Members;
  /**
   * IDs removed from this audience, per ID type (inline list or any file or SQL source). Default:
   * none.
   */
  exclude?: Exclusions;
}

/**
 * A positive 64-bit integer, written as a quoted string ("5840142710901") or a YAML integer. YAML
 * integers are read losslessly, so values above 2^53 keep every digit. Range
 * 1..9223372036854775807.
 */
export type Int64 = string | number;

/**
 * How long Amazon keeps each ID in the audience after it was last sent, in seconds, 0..34300800
 * (397 days). Default: not sent, so Amazon applies its own default.
 */
export type TtlSeconds = number;

/**
 * Countries the data comes from: ISO-3166-1 alpha-2 codes, at least one, no repeats. Wrong
 * countries lower match rates. Required here or in defaults.
 */
export type CountryList = CountryCode[];

/**
 * ISO-3166-1 alpha-2 country code in capitals, e.g. "US", "GB" (not "UK"), "DE".
 */
export type CountryCode =
  | "AD"
  | "AE"
  | "AF"
  | "AG"
  | "AI"
  | "AL"
  | "AM"
  | "AO"
  | "AQ"
  | "AR"
  | "AS"
  | "AT"
  | "AU"
  | "AW"
  | "AX"
  | "AZ"
  | "BA"
  | "BB"
  | "BD"
  | "BE"
  | "BF"
  | "BG"
  | "BH"
  | "BI"
  | "BJ"
  | "BL"
  | "BM"
  | "BN"
  | "BO"
  | "BQ"
  | "BR"
  | "BS"
  | "BT"
  | "BV"
  | "BW"
  | "BY"
  | "BZ"
  | "CA"
  | "CC"
  | "CD"
  | "CF"
  | "CG"
  | "CH"
  | "CI"
  | "CK"
  | "CL"
  | "CM"
  | "CN"
  | "CO"
  | "CR"
  | "CU"
  | "CV"
  | "CW"
  | "CX"
  | "CY"
  | "CZ"
  | "DE"
  | "DJ"
  | "DK"
  | "DM"
  | "DO"
  | "DZ"
  | "EC"
  | "EE"
  | "EG"
  | "EH"
  | "ER"
  | "ES"
  | "ET"
  | "FI"
  | "FJ"
  | "FK"
  | "FM"
  | "FO"
  | "FR"
  | "GA"
  | "GB"
  | "GD"
  | "GE"
  | "GF"
  | "GG"
  | "GH"
  | "GI"
  | "GL"
  | "GM"
  | "GN"
  | "GP"
  | "GQ"
  | "GR"
  | "GS"
  | "GT"
  | "GU"
  | "GW"
  | "GY"
  | "HK"
  | "HM"
  | "HN"
  | "HR"
  | "HT"
  | "HU"
  | "ID"
  | "IE"
  | "IL"
  | "IM"
  | "IN"
  | "IO"
  | "IQ"
  | "IR"
  | "IS"
  | "IT"
  | "JE"
  | "JM"
  | "JO"
  | "JP"
  | "KE"
  | "KG"
  | "KH"
  | "KI"
  | "KM"
  | "KN"
  | "KP"
  | "KR"
  | "KW"
  | "KY"
  | "KZ"
  | "LA"
  | "LB"
  | "LC"
  | "LI"
  | "LK"
  | "LR"
  | "LS"
  | "LT"
  | "LU"
  | "LV"
  | "LY"
  | "MA"
  | "MC"
  | "MD"
  | "ME"
  | "MF"
  | "MG"
  | "MH"
  | "MK"
  | "ML"
  | "MM"
  | "MN"
  | "MO"
  | "MP"
  | "MQ"
  | "MR"
  | "MS"
  | "MT"
  | "MU"
  | "MV"
  | "MW"
  | "MX"
  | "MY"
  | "MZ"
  | "NA"
  | "NC"
  | "NE"
  | "NF"
  | "NG"
  | "NI"
  | "NL"
  | "NO"
  | "NP"
  | "NR"
  | "NU"
  | "NZ"
  | "OM"
  | "PA"
  | "PE"
  | "PF"
  | "PG"
  | "PH"
  | "PK"
  | "PL"
  | "PM"
  | "PN"
  | "PR"
  | "PS"
  | "PT"
  | "PW"
  | "PY"
  | "QA"
  | "RE"
  | "RO"
  | "RS"
  | "RU"
  | "RW"
  | "SA"
  | "SB"
  | "SC"
  | "SD"
  | "SE"
  | "SG"
  | "SH"
  | "SI"
  | "SJ"
  | "SK"
  | "SL"
  | "SM"
  | "SN"
  | "SO"
  | "SR"
  | "SS"
  | "ST"
  | "SV"
  | "SX"
  | "SY"
  | "SZ"
  | "TC"
  | "TD"
  | "TF"
  | "TG"
  | "TH"
  | "TJ"
  | "TK"
  | "TL"
  | "TM"
  | "TN"
  | "TO"
  | "TR"
  | "TT"
  | "TV"
  | "TW"
  | "TZ"
  | "UA"
  | "UG"
  | "UM"
  | "US"
  | "UY"
  | "UZ"
  | "VA"
  | "VC"
  | "VE"
  | "VG"
  | "VI"
  | "VN"
  | "VU"
  | "WF"
  | "WS"
  | "YE"
  | "YT"
  | "ZA"
  | "ZM"
  | "ZW";

/**
 * Data fees charged when the audience is used. The currency must be the DSP account's default
 * currency. Default: no fees.
 */
export type AudienceFees = AudienceFee[];

/**
 * One data fee.
 */
export interface AudienceFee {
  /**
   * Fee per thousand impressions, in cents of `currency` (150 = 1.50), 0..2147483647.
   */
  cpmCents: number;
  /**
   * ISO-4217 currency code accepted by the API.
   */
  currency: Currency;
}

/**
 * ISO-4217 currency code accepted by the API.
 */
export type Currency =
  | "USD"
  | "CAD"
  | "JPY"
  | "GBP"
  | "EUR"
  | "AUD"
  | "AED"
  | "SAR"
  | "MXN"
  | "INR"
  | "SEK"
  | "TRY"
  | "BRL";

/**
 * Consent sent with every membership patch of the audience. Give exactly the kind named by
 * consentType. Default: no consent field.
 */
export interface Consent {
  /**
   * Which consent signal follows: "TCF" (IAB TCF string in `tcf`), "GPP" (IAB GPP string in `gpp`)
   * or "Amazon" (`amazonConsent`).
   */
  consentType: "TCF" | "GPP" | "Amazon";
  /**
   * IAB TCF consent string. Only with consentType TCF.
   */
  tcf?: string;
  /**
   * IAB GPP consent string. Only with consentType GPP.
   */
  gpp?: string;
  /**
   * Amazon consent signals. Only with consentType Amazon.
   */
  amazonConsent?: AmazonConsent;
}

/**
 * Amazon consent signals. Only with consentType Amazon.
 */
export interface AmazonConsent {
  /**
   * GRANTED or DENIED.
   */
  amazonAdStorage: ConsentStatus;
  /**
   * GRANTED or DENIED.
   */
  amazonUserData: ConsentStatus;
}

/**
 * GRANTED or DENIED.
 */
export type ConsentStatus = "GRANTED" | "DENIED";

/**
 * Who belongs to the audience, per ID type. Each type is an inline list, an ID file, several ID
 * files (their union) or, for EXTERNAL_USER_ID only, a records upload. ID types left out have no
 * members. Default: no members.
 */
export interface Members {
  /**
   * COOKIE members: an inline list of cookie IDs (no repeats) or ID files.
   */
  COOKIE?: CookieMembers;
  /**
   * MAID members: an inline list of mobile ad IDs (no repeats, compared case-insensitively) or ID
   * files.
   */
  MAID?: MaidMembers;
  /**
   * EXTERNAL_USER_ID members: an inline list of external user IDs (no repeats), ID files, or the
   * externalIds of a records upload.
   */
  EXTERNAL_USER_ID?: ExternalUserIdMembers;
}

/**
 * COOKIE members: an inline list of cookie IDs (no repeats) or ID files.
 */
export type CookieMembers = CookieId[] | IdFileSource;

/**
 * MAID members: an inline list of mobile ad IDs (no repeats, compared case-insensitively) or ID
 * files.
 */
export type MaidMembers = Maid[] | IdFileSource;

/**
 * EXTERNAL_USER_ID members: an inline list of external user IDs (no repeats), ID files, or the
 * externalIds of a records upload.
 */
export type ExternalUserIdMembers = ExternalUserId[] | IdFileOrRecordsSource;

/**
 * Cookie ID from Amazon cookie sync: 1–1999 characters of A–Z a–z 0–9 _ - = + / . : (base64 and
 * URL-safe base64 fit). Sent as written.
 */
export type CookieId = string;

/**
 * Mobile ad ID (Android AAID or Apple IDFA): a UUID, 8-4-4-4-12 hex digits, any case. Kept as
 * written (AAIDs are usually lowercase, IDFAs uppercase); repeats are detected case-insensitively.
 * The all-zero ID (tracking limited) is refused.
 */
export type Maid = string;

/**
 * External user ID: the externalId of a hashed-records upload or an external provider's user ID;
 * 1–128 characters of A–Z a–z 0–9 _ -.
 */
export type ExternalUserId = string;

/**
 * IDs from text files with one ID per line (`file` or `files`), a column of a CSV file (`csv`), a
 * column of a Parquet file (`parquet`) or a SQL query (`sql`). Give exactly one of them.
 */
export type IdFileSource = {
  /**
   * Path of a text file with one ID per line, relative to the spec file's folder. The file must
   * exist; its IDs are read when the plan is made, not when the spec is validated.
   */
  file: IdFilePath;
} | {
  /**
   * Several ID files; the members are the union of their IDs. At least one path, no repeats.
   */
  files: IdFilePaths;
} | {
  /**
   * The IDs in one column of a CSV file with a header row; the column is found by its header name.
   */
  csv: CsvColumnSource;
} | {
  /**
   * The IDs in one text column of a Parquet file (read with the embedded DuckDB; install
   * @duckdb/node-api).
   */
  parquet: ParquetColumnSource;
} | {
  /**
   * The IDs a SQL query returns: exactly one text column, one ID per row.
   */
  sql: SqlQuerySource;
};

/**
 * IDs from text files with one ID per line, a CSV or Parquet column, a SQL query, or the
 * externalIds of a records upload. Give exactly one of `file`, `files`, `csv`, `parquet`, `sql`,
 * `records`.
 */
export type IdFileOrRecordsSource = {
  /**
   * Path of a text file with one ID per line, relative to the spec file's folder. The file must
   * exist; its IDs are read when the plan is made, not when the spec is validated.
   */
  file: IdFilePath;
} | {
  /**
   * Several ID files; the members are the union of their IDs. At least one path, no repeats.
   */
  files: IdFilePaths;
} | {
  /**
   * Key of an entry in the top-level `records:` section whose externalIds become the members.
   */
  records: RecordsReference;
} | {
  /**
   * The IDs in one column of a CSV file with a header row; the column is found by its header name.
   */
  csv: CsvColumnSource;
} | {
  /**
   * The IDs in one text column of a Parquet file (read with the embedded DuckDB; install
   * @duckdb/node-api).
   */
  parquet: ParquetColumnSource;
} | {
  /**
   * The IDs a SQL query returns: exactly one text column, one ID per row.
   */
  sql: SqlQuerySource;
};

/**
 * Path of a text file with one ID per line, relative to the spec file's folder. The file must
 * exist; its IDs are read when the plan is made, not when the spec is validated.
 */
export type IdFilePath = string;

/**
 * Several ID files; the members are the union of their IDs. At least one path, no repeats.
 */
export type IdFilePaths = IdFilePath[];

/**
 * Key of an entry in the top-level `records:` section whose externalIds become the members.
 */
export type RecordsReference = string;

/**
 * A CSV of PII (Amazon's template headers) to normalise, hash and upload as hashed records.
 */
export interface RecordsSource {
  /**
   * Path of the CSV file, relative to the spec file's folder. The file must exist.
   */
  csv: string;
  /**
   * CSV column that holds each row's externalId. Default: none, so externalIds are derived from
   * the row with the secret named by externalIdSecretConfig.
   */
  idColumn?: string;
  /**
   * true when the PII columns already hold lowercase SHA-256 hex digests; false to normalise and
   * hash them here. Default: false.
   * @default false
   */
  hashed?: boolean;
  /**
   * Name of the Pulumi config secret used to derive externalIds, e.g.
   * "dsp-audiences:externalIdSalt". Default: none.
   */
  externalIdSecretConfig?: string;
  /**
   * Refuse the upload when the CSV has fewer data rows. Default: 10000 (Amazon's rule for the
   * template).
   */
  minRows?: number;
  /**
   * Refuse the upload when the CSV has more data rows. Must be at least minRows. Default: 5000000
   * (Amazon's rule for the template).
   */
  maxRows?: number;
  /**
   * Country assumed for rows without one, used when normalising phone numbers and postal codes
   * (ISO-3166-1 alpha-2). Default: US.
   */
  defaultCountry?: CountryCode;
  /**
   * How non-ASCII letters in first_name, last_name, address and city become ASCII before hashing
   * (docs/normalisation.md). aws: the AWS uploader's table (ß→ss, ä→ae, ö→oe, ü→ue, ø→o, æ→ae;
   * other non-ASCII letters dropped), as Amazon's formatting guideline does. fold: accents folded
   * (é→e, ü→u). expand-german: fold, but ä→ae, ö→oe, ü→ue. drop: every non-ASCII letter dropped.
   * Default: aws.
   */
  nonAsciiLetters?: "aws" | "fold" | "expand-german" | "drop";
}

/**
 * Delete one user's data (PATCH /v2/dp/users, operation DELETE).
 */
export interface Deletion {
  /**
   * Kind of user ID.
   */
  type: IdType;
  /**
   * The user ID, in the syntax of `type` (see CookieId, Maid, ExternalUserId).
   */
  value: string;
  /**
   * Delete only this advertiser's data for the user. Default: all data this client holds for the
   * user. A positive 64-bit integer, written as a quoted string ("5840142710901") or a YAML
   * integer. YAML integers are read losslessly, so values above 2^53 keep every digit. Range
   * 1..9223372036854775807.
   */
  advertiserId?: Int64;
  /**
   * When the user gave or withdrew consent: an RFC 3339 date-time with a time zone
   * ("2026-01-31T12:00:00Z") or epoch milliseconds (integer, 0..8640000000000000). Sent as epoch
   * milliseconds. Default: not sent.
   */
  consentTime?: ConsentTime;
}

/**
 * Kind of user ID.
 */
export type IdType = "COOKIE" | "MAID" | "EXTERNAL_USER_ID";

/**
 * When the user gave or withdrew consent: an RFC 3339 date-time with a time zone
 * ("2026-01-31T12:00:00Z") or epoch milliseconds (integer, 0..8640000000000000). Sent as epoch
 * milliseconds. Default: not sent.
 */
export type ConsentTime = string | number;

/**
 * Tool settings. Default: all defaults.
 */
export interface Settings {
  /**
   * Re-send every membership's whole desired set once every this many days, so members are
   * re-asserted before their ttl ages them out, 1..397 (the longest ttl). Default: never
   * automatically (dsp:reassert re-asserts by hand).
   */
  reassertAfterDays?: number;
  /**
   * How long sync records keep the history of each sync (time, +N −M, request ids, the applied set
   * after it; what `dsp-audiences history` reads), and how long the record of a deleted
   * membership, upload or audience is kept before it is removed, in days, 1..3650. Wins over the
   * stack setting dsp:historyRetentionDays. Default: dsp:historyRetentionDays (or
   * DSP_HISTORY_RETENTION_DAYS) when set, else 90.
   * @default 90
   */
  historyRetentionDays?: number;
  /**
   * Places outside the spec file's folder that the spec's files may be read from: folders
   * (relative to the spec file's folder, or absolute) for ID files, CSV and Parquet files, records
   * CSVs, DuckDB databases and files read inside SQL; and `s3://<bucket>/<prefix>` entries (with
   * the same `?endpoint=…` options as the objects) for `csv:` and `parquet:` objects. Every file
   * must resolve, after symbolic links, inside the spec's folder or one of these folders, and
   * every s3:// object must be under one of these prefixes. Default: none (only the spec's folder
   * tree, and no s3:// object).
   */
  allowedRoots?: string[];
  /**
   * Longest one SQL statement of a `postgres:` source may run, in seconds (PostgreSQL's
   * statement_timeout, set inside the read-only transaction), 1..86400. Default: 300.
   * @default 300
   */
  queryTimeoutSeconds?: number;
}

/**
 * The IDs in one column of a CSV file with a header row; the column is found by its header name.
 */
export interface CsvColumnSource {
  /**
   * Path of the file, relative to the spec file's folder (inside its tree or
   * settings.allowedRoots), or an S3 object `s3://<bucket>/<key>` under an s3:// entry of
   * settings.allowedRoots (optionally `?endpoint=…&s3ForcePathStyle=true&region=…`, as for
   * dsp:snapshotStore, written as in that entry; credentials from the AWS SDK's usual sources).
   */
  file: string;
  /**
   * Header name of the column holding the IDs.
   */
  column: string;
  /**
   * Field delimiter, one character. Default: ",".
   * @default ","
   */
  delimiter?: string;
  /**
   * What a row that is NULL, not text, or not a valid ID of the type does: `error` stops the
   * program naming the row; `skip` leaves the row out and preview counts it. Default: error.
   * @default "error"
   */
  onInvalid?: "error" | "skip";
}

/**
 * The IDs in one text column of a Parquet file (read with the embedded DuckDB; install
 * @duckdb/node-api).
 */
export interface ParquetColumnSource {
  /**
   * Path of the file, relative to the spec file's folder (inside its tree or
   * settings.allowedRoots), or an S3 object `s3://<bucket>/<key>` under an s3:// entry of
   * settings.allowedRoots (optionally `?endpoint=…&s3ForcePathStyle=true&region=…`, as for
   * dsp:snapshotStore, written as in that entry; credentials from the AWS SDK's usual sources).
   */
  file: string;
  /**
   * Name of the text column holding the IDs.
   */
  column: string;
  /**
   * What a row that is NULL, not text, or not a valid ID of the type does: `error` stops the
   * program naming the row; `skip` leaves the row out and preview counts it. Default: error.
   * @default "error"
   */
  onInvalid?: "error" | "skip";
}

/**
 * The IDs a SQL query returns: exactly one text column, one ID per row.
 */
export interface SqlQuerySource {
  /**
   * Name of an entry in the top-level `sources:`. Default: an in-memory DuckDB whose relative file
   * paths start at the spec file's folder.
   */
  source?: ResourceKey;
  /**
   * The query; it must return exactly one column of text.
   */
  query: string;
  /**
   * What a row that is NULL, not text, or not a valid ID of the type does: `error` stops the
   * program naming the row; `skip` leaves the row out and preview counts it. Default: error.
   * @default "error"
   */
  onInvalid?: "error" | "skip";
}

/**
 * A database that `sql:` member sources query. Give exactly one of `duckdb`, `postgres`.
 */
export type SqlSource = {
  /**
   * An embedded DuckDB database (install @duckdb/node-api). Relative file paths in its queries
   * start at the spec file's folder.
   */
  duckdb: DuckDbSource;
} | {
  /**
   * A PostgreSQL database (install pg). The connection string comes from a stack secret or an
   * environment variable and never enters state, logs or errors. Give exactly one of
   * `connectionConfig`, `connectionEnv`.
   */
  postgres: PostgresSource;
};

/**
 * An embedded DuckDB database (install @duckdb/node-api). Relative file paths in its queries start
 * at the spec file's folder.
 */
export interface DuckDbSource {
  /**
   * Database file, relative to the spec file's folder, opened read-only. Default: in memory
   * (queries can still read Parquet and CSV files).
   */
  database?: string;
}

/**
 * A PostgreSQL database (install pg). The connection string comes from a stack secret or an
 * environment variable and never enters state, logs or errors. Give exactly one of
 * `connectionConfig`, `connectionEnv`.
 */
export type PostgresSource = {
  /**
   * Stack config key holding the connection string (set it with `pulumi config set --secret`),
   * e.g. `dsp:warehouseUrl`.
   */
  connectionConfig: string;
} | {
  /**
   * Environment variable holding the connection string, e.g. DATABASE_URL.
   */
  connectionEnv: string;
};

/**
 * IDs removed from this audience, per ID type (inline list or any file or SQL source). Default:
 * none.
 */
export interface Exclusions {
  /**
   * COOKIE members: an inline list of cookie IDs (no repeats) or ID files.
   */
  COOKIE?: CookieMembers;
  /**
   * MAID members: an inline list of mobile ad IDs (no repeats, compared case-insensitively) or ID
   * files.
   */
  MAID?: MaidMembers;
  /**
   * EXTERNAL_USER_ID IDs: an inline list or any file or SQL source.
   */
  EXTERNAL_USER_ID?: ExternalUserIdExclusion;
}

/**
 * EXTERNAL_USER_ID IDs: an inline list or any file or SQL source.
 */
export type ExternalUserIdExclusion = ExternalUserId[] | IdFileSource;
