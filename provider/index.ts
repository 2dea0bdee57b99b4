/**
 * dsp-audiences as a library: the Pulumi resources, the spec loader and the program helper, for
 * users who write their own Pulumi program. The API client, planner and PII pipeline are
 * exported from their folders (`dsp-audiences/provider/client`, …).
 */
export { DataProviderAudience, type DataProviderAudienceArgs } from "./audience/data-provider-audience";
export { AudienceMembership, type AudienceMembershipArgs } from "./membership/audience-membership";
export { HashedRecordUpload, type HashedRecordUploadArgs } from "./customer-records/hashed-record-upload";
export { UserDeletions, type UserDeletionsArgs } from "./user-deletions/user-deletions";
export { declareSpec, type DeclareSpecOptions, type DeclaredAudience } from "./program/declare-spec";
export { declareSpecFile, type DeclareSpecFileOptions } from "./program/run-spec-program";
export { loadSpec, parseSpec, SpecValidationError, type LoadedSpec } from "./spec";
export type { DesiredMembers } from "./resources/desired-set";
export { PACKAGE_VERSION } from "./version";

import { mapOwnStackTracesWhenDebugging } from "./util/own-source-maps";

mapOwnStackTracesWhenDebugging();
