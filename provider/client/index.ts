/**
 * Public API of the DSP Data Provider client.
 */
export { DspClient } from "./dsp-client";
export { createAxiosTransport } from "./axios-transport";
export type {
  DspClientOptions,
  HashedRecordsInput,
  HashedRecordsUploadResult,
  MembershipPatchInput,
  MembershipPatchResult,
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

export {
  DEFAULT_HASHED_RECORD_BATCH_LIMITS,
  DEFAULT_PATCH_BATCH_LIMITS,
  DEFAULT_USER_DELETION_BATCH_LIMITS,
  HASHED_PII_FIELDS,
  checkHashedRecords,
  checkMembershipColumns,
  checkUserDeletions,
  createHashedRecordPacker,
  membershipOpsToColumns,
  mergeMembershipOps,
  packHashedRecords,
  packKeyedMembershipColumns,
  packKeyedUserDeletions,
  packMembershipColumns,
  packMembershipOps,
  packUserDeletions,
} from "./batching";
export type {
  HashedPiiField,
  HashedPiiSet,
  HashedRecordBatchLimits,
  HashedRecordInput,
  HashedRecordPacker,
  KeyedBatch,
  Keyed,
  KeyedMembershipColumn,
  MembershipOp,
  MembershipOpColumn,
  MembershipOpKind,
  PatchBatch,
  PatchBatchLimits,
  RecordIdType,
  RequestBatch,
  UserDeletionBatchLimits,
  UserDeletionInput,
} from "./batching";

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
