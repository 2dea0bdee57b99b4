/** The spec: format, loading, validation and the resolved model. */
export { loadSpec, parseSpec, type LoadSpecOptions } from "./load-spec";
export { validateSpecCommand, summarizeSpec, VALIDATE_EXIT } from "./validate-command";
export { SpecValidationError, formatSpecError, type SpecError } from "./spec-error";
export type { FileProbe } from "./file-references";
export { canonicalId, ID_BYTES_CHECKS, ID_CANONICAL_FORMS, ID_SYNTAX_CHECKS, type IdBytesCheck, type IdCanonicaliser, type IdSyntaxCheck } from "./id-syntax";
export {
  ID_TYPES,
  type AudienceFee,
  type Consent,
  type CsvMemberSource,
  type FilesMemberSource,
  type IdListSource,
  type IdType,
  type InlineMemberSource,
  type LoadedSpec,
  type MemberSource,
  type OnInvalid,
  type ParquetMemberSource,
  type ReadMemberSource,
  type RecordsMemberSource,
  type ResolvedAudience,
  type ResolvedDeletion,
  type ResolvedExclusions,
  type ResolvedMembers,
  type ResolvedRecordsSource,
  type ResolvedSettings,
  type ResolvedSqlSource,
  type SqlMemberSource,
} from "./loaded-spec";
export { SPEC_SCHEMA } from "./spec-schema";
export type * as SpecDocument from "./spec-types.generated";
export { isObjectUrl } from "./file-references";
export { isUnderPrefix, objectRefusal, parseObjectUrl, type ObjectLocation } from "./object-roots";
export { DEFAULT_QUERY_TIMEOUT_SECONDS } from "./resolve-spec";
export type { SpecIssue } from "./spec-issue";
export type { SqlQueryReference } from "./sql-queries";
