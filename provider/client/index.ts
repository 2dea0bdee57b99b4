/**
 * Public API of the DSP Data Provider client.
 */
export { DspClient } from "./dsp-client";
export { createAxiosTransport } from "./axios-transport";
export type {
  BodyAcceptance,
  BodyKind,
  DspClientOptions,
  HashedRecordsInput,
  HashedRecordsUploadResult,
  MembershipPatchInput,
  MembershipPatchResult,
  PreparedBody,
  ProgressOptions,
  UserDeletionResult,
  UserDeletionsInput,
} from "./dsp-client";

export { DSP_REGION_ENDPOINTS, resolveEndpoint, simulatorEndpoint } from "./regions";
export type { DspEndpoint, DspRegion } from "./regions";

export { TOKEN_OPERATION } from "./auth";
export type { DspCredentials, DspCredentialsSource } from "./auth";

export type {
  AudienceFee,
  AudienceFeeCurrency,
  AudienceMetadata,
  AudienceSize,
  CreateAudienceInput,
  UpdateAudienceInput,
} from "./audience-metadata";

export { DEFAULT_HASHED_RECORD_BATCH_LIMITS, DEFAULT_PATCH_BATCH_LIMITS, DEFAULT_USER_DELETION_BATCH_LIMITS } from "./bodies/body-limits";
export type { HashedRecordBatchLimits, PatchBatchLimits, UserDeletionBatchLimits } from "./bodies/body-limits";
export type { KeyedBatch, Keyed, RequestBatch } from "./bodies/request-batch";
export type { RecordIdType } from "./bodies/record-values";
export {
  checkMembershipColumns,
  membershipOpsToColumns,
  mergeMembershipOps,
  packKeyedMembershipColumns,
  packMembershipColumns,
  packMembershipOps,
} from "./bodies/membership-patches";
export type { KeyedMembershipColumn, MembershipOp, MembershipOpColumn, MembershipOpKind, PatchBatch } from "./bodies/membership-patches";
export { HASHED_PII_FIELDS, checkHashedRecords, createHashedRecordPacker, packHashedRecords } from "./bodies/hashed-records";
export type { HashedPiiField, HashedPiiSet, HashedRecordInput, HashedRecordPacker } from "./bodies/hashed-records";
export { checkUserDeletions, packKeyedUserDeletions, packUserDeletions } from "./bodies/user-deletions";
export type { UserDeletionInput } from "./bodies/user-deletions";

export {
  DspAuthError,
  DspCreateMayHaveSucceededError,
  DspError,
  DspHttpError,
  DspNetworkError,
  DspRateLimitError,
  DspRetryBudgetExhaustedError,
  DspTimeoutError,
  redactSecrets,
} from "./errors";
export { InvalidInputError, RecordTooLargeError } from "./input-errors";

export type {
  DspClientEvent,
  DspEventListener,
  IdsAcceptedEvent,
  RequestDoneEvent,
  RequestSentEvent,
  RetryEvent,
  ThrottledWaitEvent,
  TokenRefreshedEvent,
} from "./events";

export { DSP_ID_FIELDS, isInt64String, parseJsonWithInt64Ids, toInt64String } from "./int64";
export { DEFAULT_RETRY_POLICY, backoffDelayMs, classifyError, mayHaveBeenApplied, parseRetryAfterMs } from "./retry";
export type { ErrorClass, RetryPolicy } from "./retry";
export { DEFAULT_LANE_LIMITS } from "./throttle";
export type { LaneLimits, LaneName } from "./throttle";
export { systemClock } from "./clock";
export type { Clock } from "./clock";
export type { HttpMethod, HttpRequest, HttpResponse, HttpTransport } from "./transport";
