/**
 * The DSP Data Provider API client: the only module that sends requests (through a transport,
 * by default the axios one in axios-transport.ts). Everything it does is delegated to pure
 * parts: body packers (bodies/, one file per endpoint), retry rules, throttling, error parsing,
 * int64 handling. Records go out one packed body per call (`sendBody`); the bulk calls pack and
 * send many bodies through it.
 */
import { createAxiosTransport } from "./axios-transport";
import { AccessTokenProvider, DEFAULT_REFRESH_SKEW_MS, type DspCredentialsSource } from "./auth";
import {
  buildCreateAudienceBody,
  buildUpdateAudienceBody,
  parseAudienceMetadataResponse,
  type AudienceMetadata,
  type CreateAudienceInput,
  type UpdateAudienceInput,
} from "./audience-metadata";
import { DEFAULT_HASHED_RECORD_BATCH_LIMITS, DEFAULT_PATCH_BATCH_LIMITS, DEFAULT_USER_DELETION_BATCH_LIMITS, type HashedRecordBatchLimits, type PatchBatchLimits, type UserDeletionBatchLimits } from "./bodies/body-limits";
import { checkHashedRecords, packHashedRecords, type HashedRecordInput } from "./bodies/hashed-records";
import { checkMembershipColumns, membershipOpsToColumns, packMembershipColumns, type MembershipOp, type MembershipOpColumn, type PatchBatch } from "./bodies/membership-patches";
import type { RequestBatch } from "./bodies/request-batch";
import { checkUserDeletions, packUserDeletions, type UserDeletionInput } from "./bodies/user-deletions";
import { systemClock, type Clock } from "./clock";
import { forEachConcurrently } from "./concurrency";
import { DspCreateMayHaveSucceededError, DspError } from "./errors";
import { emitTo, type DspEventListener } from "./events";
import { InvalidInputError } from "./input-errors";
import { toInt64String } from "./int64";
import { resolveEndpoint, type DspEndpoint, type DspRegion } from "./regions";
import { RequestExecutor, type DspRequestSpec } from "./request-executor";
import { REQUEST_ID_HEADER } from "./response-error";
import { RetryBudget, resolveRetryPolicy, type RetryPolicy } from "./retry";
import { LANE_NAMES, createLanes, resolveLaneLimits, type LaneLimits, type LaneName } from "./throttle";
import type { HttpResponse, HttpTransport } from "./transport";

export interface DspClientOptions {
  /** `NA`, `EU`, `FE`, or a custom `{ apiUrl, tokenUrl }` (e.g. `simulatorEndpoint(url)`). */
  endpoint: DspRegion | DspEndpoint;
  /**
   * LwA credentials, or a function returning them that is called whenever a
   * token is refreshed. Kept in a private field: never serialized, never logged.
   */
  credentials: DspCredentialsSource;
  /**
   * Per-lane overrides of rate (req/s), burst, concurrency and spacing margin (ms).
   * @default metadata and users 1 req/s (+100 ms margin), audienceMembership 100 req/s × 32 in flight, hashedRecords 5 req/s (+20 ms); see `DEFAULT_LANE_LIMITS`
   */
  throttle?: Partial<Record<LaneName, Partial<LaneLimits>>>;
  /** Retry tuning (attempts, backoff ms, Retry-After clamp ms, retry budget). See `RetryPolicy` for defaults. */
  retry?: Partial<RetryPolicy>;
  /**
   * Renew the access token this many ms before it expires (at most half its lifetime).
   * @default 60000
   */
  tokenRefreshSkewMs?: number;
  /**
   * Abort a request with no complete response after this many ms.
   * @default 60000
   */
  requestTimeoutMs?: number;
  /** Request body limits. @default patches 1,000,000 B / 2,000 patches; hashed records 5,000,000 B; user deletions 1,000,000 B / 1,000 users */
  batchLimits?: {
    patches?: Partial<PatchBatchLimits>;
    hashedRecords?: Partial<HashedRecordBatchLimits>;
    userDeletions?: Partial<UserDeletionBatchLimits>;
  };
  /** Time and randomness; tests pass a fake. @default systemClock */
  clock?: Clock;
  /** Hears every event of this client (requests, retries, waits, accepted ids, token refreshes). @default none */
  onEvent?: DspEventListener;
  /** HTTP transport; tests pass a fake. @default axios with keep-alive agents */
  transport?: HttpTransport;
}

/** Input of `patchAudienceMembership`: rows, columns, or bodies built beforehand with `packMembership*`. */
export type MembershipPatchInput =
  | { ops: readonly MembershipOp[] }
  | { columns: readonly MembershipOpColumn[] }
  | { batches: Iterable<PatchBatch> };

/** Input of `uploadHashedRecords`: records, or bodies built beforehand with `createHashedRecordPacker`. */
export type HashedRecordsInput = readonly HashedRecordInput[] | { batches: Iterable<RequestBatch> };

/** Input of `deleteUsers`: users, or bodies built beforehand with `packKeyedUserDeletions`. */
export type UserDeletionsInput = readonly UserDeletionInput[] | { batches: Iterable<RequestBatch> };

/** The endpoints that take packed bodies: PATCH /v2/dp/audience, POST /dp/records/hashed, PATCH /v2/dp/users. */
export type BodyKind = "audienceMembership" | "hashedRecords" | "userDeletions";

/**
 * One body packed beforehand, and the endpoint it is for: membership patches (`packMembership*`,
 * `packKeyedMembershipColumns`), hashed records (`packHashedRecords`, `createHashedRecordPacker`)
 * or user deletions (`packUserDeletions`, `packKeyedUserDeletions`).
 */
export type PreparedBody =
  | { kind: "audienceMembership"; batch: PatchBatch }
  | { kind: "hashedRecords"; batch: RequestBatch }
  | { kind: "userDeletions"; batch: RequestBatch };

/** Amazon accepted one body (a 2xx); it applies what the body carries asynchronously. */
export interface BodyAcceptance {
  /** Record-level operations the body carried (audience memberships, records or users). */
  ops: number;
  requestId?: string;
  /** Amazon's asynchronous job id (PATCH /v2/dp/audience only). */
  jobId?: string;
}

/** Options of the calls that send records (`sendBody` and the bulk calls built on it). */
export interface ProgressOptions {
  /** Hears this call's events (in addition to the client's `onEvent`). @default none */
  onProgress?: DspEventListener;
}

export interface MembershipPatchResult {
  /** Requests accepted (not counting retries). */
  requests: number;
  patches: number;
  /** Audience-membership operations accepted (a patch with 3 audience ids counts 3). */
  ops: number;
  /** Amazon's asynchronous job ids, one per accepted request. */
  jobIds: string[];
  requestIds: string[];
}

export interface HashedRecordsUploadResult {
  requests: number;
  records: number;
  requestIds: string[];
}

export interface UserDeletionResult {
  requests: number;
  users: number;
  requestIds: string[];
}

const METADATA_PATH = "/v2/dp/audiencemetadata";
const OPERATIONS = {
  createAudience: "POST /v2/dp/audiencemetadata",
  getAudience: "GET /v2/dp/audiencemetadata/{audienceId}",
  updateAudience: "PUT /v2/dp/audiencemetadata/{audienceId}",
  patchAudience: "PATCH /v2/dp/audience",
  uploadHashedRecords: "POST /dp/records/hashed",
  deleteUsers: "PATCH /v2/dp/users",
} as const;

/** How each kind of body is sent. */
const BODY_REQUESTS: Readonly<Record<BodyKind, Omit<DspRequestSpec, "body" | "ops">>> = {
  audienceMembership: { method: "PATCH", path: "/v2/dp/audience", operation: OPERATIONS.patchAudience, lane: "audienceMembership" },
  hashedRecords: {
    method: "POST",
    path: "/dp/records/hashed",
    operation: OPERATIONS.uploadHashedRecords,
    lane: "hashedRecords",
    contentType: "application/vnd.dpuploadhashedrecordsrequest.v3+json",
    accept: "application/vnd.dpuploadhashedrecordsresponse.v3+json",
  },
  userDeletions: { method: "PATCH", path: "/v2/dp/users", operation: OPERATIONS.deleteUsers, lane: "users" },
};

export class DspClient {
  readonly endpoint: DspEndpoint;
  readonly #executor: RequestExecutor;
  readonly #transport: HttpTransport;
  readonly #laneConcurrency: Readonly<Record<LaneName, number>>;
  readonly #patchLimits: PatchBatchLimits;
  readonly #hashedLimits: HashedRecordBatchLimits;
  readonly #userLimits: UserDeletionBatchLimits;
  readonly #onEvent: DspEventListener | undefined;

  constructor(options: DspClientOptions) {
    this.endpoint = resolveEndpoint(options.endpoint);
    const clock = options.clock ?? systemClock;
    const laneLimits = resolveLaneLimits(options.throttle);
    const policy = resolveRetryPolicy(options.retry);
    const concurrency = {} as Record<LaneName, number>;
    for (const lane of LANE_NAMES) concurrency[lane] = laneLimits[lane].maxConcurrency;
    this.#laneConcurrency = concurrency;
    const totalConcurrency = LANE_NAMES.reduce((sum, lane) => sum + concurrency[lane], 0);
    this.#transport = options.transport ?? createAxiosTransport(totalConcurrency);
    this.#onEvent = options.onEvent;
    const onEvent = options.onEvent;
    const auth = new AccessTokenProvider({
      tokenUrl: this.endpoint.tokenUrl,
      credentials: options.credentials,
      transport: this.#transport,
      clock,
      refreshSkewMs: options.tokenRefreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS,
      onRefreshed: (expiresInMs) => emitTo([onEvent], { type: "token-refreshed", expiresInMs }),
    });
    this.#executor = new RequestExecutor({
      apiUrl: this.endpoint.apiUrl,
      transport: this.#transport,
      auth,
      lanes: createLanes(laneLimits, clock),
      policy,
      budget: new RetryBudget(policy.budgetCapacity),
      clock,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      ...(onEvent === undefined ? {} : { onEvent }),
    });
    this.#patchLimits = { ...DEFAULT_PATCH_BATCH_LIMITS, ...definedOnly(options.batchLimits?.patches) };
    this.#hashedLimits = { ...DEFAULT_HASHED_RECORD_BATCH_LIMITS, ...definedOnly(options.batchLimits?.hashedRecords) };
    this.#userLimits = { ...DEFAULT_USER_DELETION_BATCH_LIMITS, ...definedOnly(options.batchLimits?.userDeletions) };
  }

  /**
   * Creates an audience. Never retried once the request may have reached
   * Amazon (creation is not idempotent and there is no list call): such a
   * failure throws `DspCreateMayHaveSucceededError`; adopt the audience by id
   * if it exists. Only 429s and refused connections are retried.
   */
  async createAudience(input: CreateAudienceInput): Promise<AudienceMetadata> {
    const spec: DspRequestSpec = {
      method: "POST",
      path: `${METADATA_PATH}/`,
      operation: OPERATIONS.createAudience,
      lane: "metadata",
      body: buildCreateAudienceBody(input),
      ops: 0,
      nonIdempotentCreate: { externalAudienceId: input.externalAudienceId },
    };
    const response = await this.#executor.execute(spec);
    try {
      return parseAudienceMetadataResponse(spec.operation, response.status, response.body).audience;
    } catch (error) {
      // Amazon said yes but we cannot read the id: the audience exists.
      if (error instanceof DspError) throw new DspCreateMayHaveSucceededError(error, input.externalAudienceId);
      throw error;
    }
  }

  /** Reads an audience, including Amazon's match statistics (`audienceSize`). */
  async getAudience(audienceId: string): Promise<AudienceMetadata> {
    const id = toInt64String(audienceId, "audienceId");
    const spec: DspRequestSpec = { method: "GET", path: `${METADATA_PATH}/${id}`, operation: OPERATIONS.getAudience, lane: "metadata", ops: 0 };
    const response = await this.#executor.execute(spec);
    return parseAudienceMetadataResponse(spec.operation, response.status, response.body).audience;
  }

  /** Updates the updatable fields (description, ttl, fees, countries); omitted fields stay unchanged. */
  async updateAudience(audienceId: string, update: UpdateAudienceInput): Promise<AudienceMetadata> {
    const id = toInt64String(audienceId, "audienceId");
    const spec: DspRequestSpec = {
      method: "PUT",
      path: `${METADATA_PATH}/${id}`,
      operation: OPERATIONS.updateAudience,
      lane: "metadata",
      body: buildUpdateAudienceBody(update),
      ops: 0,
    };
    const response = await this.#executor.execute(spec);
    return parseAudienceMetadataResponse(spec.operation, response.status, response.body).audience;
  }

  /**
   * Sends one body packed beforehand to its endpoint, once it is checked against this client's
   * limits, retrying as the rules allow; resolves when Amazon accepted it. The one call that sends
   * records: the bulk calls below are built on it, and a tracked send (which records per body
   * what Amazon accepted) calls it for each body.
   * @throws InvalidInputError when the body exceeds this client's limits (nothing is sent).
   */
  sendBody(prepared: PreparedBody, options: ProgressOptions = {}): Promise<BodyAcceptance> {
    return this.#sendBody(prepared, options.onProgress, { ops: 0 }, "batch");
  }

  /**
   * Adds records to and removes them from audiences. Validates all input
   * before the first request, then sends the bodies concurrently within the
   * lane's limits. Patches are idempotent, so after a failure the whole call
   * can be repeated; Amazon applies them asynchronously, in no guaranteed
   * order, so one call must not both add and remove the same membership.
   */
  async patchAudienceMembership(input: MembershipPatchInput, options: ProgressOptions = {}): Promise<MembershipPatchResult> {
    const result: MembershipPatchResult = { requests: 0, patches: 0, ops: 0, jobIds: [], requestIds: [] };
    const bodies = asBodies("audienceMembership" as const, this.#membershipBatches(input));
    await this.#sendAll(bodies, BODY_REQUESTS.audienceMembership.lane, options, ({ batch }, accepted) => {
      result.requests++;
      result.patches += batch.patches;
      result.ops += accepted.ops;
      if (accepted.jobId !== undefined) result.jobIds.push(accepted.jobId);
      if (accepted.requestId !== undefined) result.requestIds.push(accepted.requestId);
    });
    return result;
  }

  /**
   * Uploads hashed PII records (validated and checked against the body limit before the first
   * request), or bodies packed beforehand (checked against the limits as they are sent).
   */
  async uploadHashedRecords(input: HashedRecordsInput, options: ProgressOptions = {}): Promise<HashedRecordsUploadResult> {
    const batches = "batches" in input ? input.batches : checkedThenPacked(input, this.#hashedLimits, checkHashedRecords, packHashedRecords);
    const sent = await this.#sendRecordBatches("hashedRecords", batches, options);
    return { requests: sent.requests, records: sent.ops, requestIds: sent.requestIds };
  }

  /**
   * Asks Amazon to delete users' data (validated before the first request; Amazon's SLA is 30
   * days), or sends bodies packed beforehand (checked against the limits as they are sent).
   */
  async deleteUsers(input: UserDeletionsInput, options: ProgressOptions = {}): Promise<UserDeletionResult> {
    const batches = "batches" in input ? input.batches : checkedThenPacked(input, this.#userLimits, checkUserDeletions, packUserDeletions);
    const sent = await this.#sendRecordBatches("userDeletions", batches, options);
    return { requests: sent.requests, users: sent.ops, requestIds: sent.requestIds };
  }

  /** Closes pooled connections. The client must not be used afterwards. */
  close(): void {
    this.#transport.close();
  }

  #membershipBatches(input: MembershipPatchInput): Iterable<PatchBatch> {
    if ("batches" in input) return input.batches;
    const columns = "columns" in input ? input.columns : membershipOpsToColumns(input.ops);
    checkMembershipColumns(columns, this.#patchLimits);
    return packMembershipColumns(columns, this.#patchLimits);
  }

  async #sendRecordBatches(kind: "hashedRecords" | "userDeletions", batches: Iterable<RequestBatch>, options: ProgressOptions): Promise<{ requests: number; ops: number; requestIds: string[] }> {
    const sent = { requests: 0, ops: 0, requestIds: [] as string[] };
    await this.#sendAll(asBodies(kind, batches), BODY_REQUESTS[kind].lane, options, (_body, accepted) => {
      sent.requests++;
      sent.ops += accepted.ops;
      if (accepted.requestId !== undefined) sent.requestIds.push(accepted.requestId);
    });
    return sent;
  }

  /** Sends every body with {@link sendBody}, concurrently within the lane's limits; the first failure stops new sends and is rethrown. */
  async #sendAll<P extends PreparedBody>(bodies: Iterable<P>, lane: LaneName, options: ProgressOptions, onAccepted: (prepared: P, accepted: BodyAcceptance) => void): Promise<void> {
    const tally = { ops: 0 };
    await forEachConcurrently(bodies, this.#laneConcurrency[lane], async (prepared) => {
      onAccepted(prepared, await this.#sendBody(prepared, options.onProgress, tally, "batches"));
    });
  }

  /** {@link sendBody}, with the call's running total of accepted ops (for events) and the name of the input field in errors. */
  async #sendBody(prepared: PreparedBody, listener: DspEventListener | undefined, tally: { ops: number }, field: string): Promise<BodyAcceptance> {
    const { batch } = prepared;
    this.#checkFits(prepared, field);
    const request = BODY_REQUESTS[prepared.kind];
    const response = await this.#executor.execute({ ...request, body: batch.body, ops: batch.ops }, listener);
    const { jobId, requestId } = readAcceptance(response);
    tally.ops += batch.ops;
    const accepted: BodyAcceptance = {
      ops: batch.ops,
      ...(requestId === undefined ? {} : { requestId }),
      // Only membership patches are answered with a job id.
      ...(jobId === undefined || prepared.kind !== "audienceMembership" ? {} : { jobId }),
    };
    emitTo([this.#onEvent, listener], { type: "ids-accepted", operation: request.operation, totalOps: tally.ops, ...accepted });
    return accepted;
  }

  /** @throws InvalidInputError when a body packed beforehand exceeds this client's limits. */
  #checkFits(prepared: PreparedBody, field: string): void {
    const { bytes } = prepared.batch;
    const [maxBodyBytes, maxItems, items, what] =
      prepared.kind === "audienceMembership"
        ? [this.#patchLimits.maxBodyBytes, this.#patchLimits.maxPatches, prepared.batch.patches, "patches"]
        : prepared.kind === "hashedRecords"
          ? [this.#hashedLimits.maxBodyBytes, this.#hashedLimits.maxRecords, prepared.batch.ops, "records"]
          : [this.#userLimits.maxBodyBytes, this.#userLimits.maxUsers, prepared.batch.ops, "users"];
    if (bytes > maxBodyBytes || items > maxItems) {
      throw new InvalidInputError(field, `a prebuilt batch (${bytes} bytes, ${items} ${what}) exceeds the client's ${what === "patches" ? "patch" : what} limits`);
    }
  }
}

/** Each batch as a body for the `kind` endpoint, lazily. */
function* asBodies<K extends BodyKind, B>(kind: K, batches: Iterable<B>): Generator<{ kind: K; batch: B }, void, undefined> {
  for (const batch of batches) yield { kind, batch };
}

/** Validates every item (so nothing is sent when one is bad), then packs them lazily. */
function checkedThenPacked<T, L>(items: readonly T[], limits: L, check: (items: readonly T[], limits: L) => void, pack: (items: readonly T[], limits: L) => Iterable<RequestBatch>): Iterable<RequestBatch> {
  check(items, limits);
  return pack(items, limits);
}

/** Reads `{jobId?, requestId?}` from an acceptance body, tolerating an empty or non-JSON body. */
function readAcceptance(response: HttpResponse): { jobId?: string; requestId?: string } {
  const accepted: { jobId?: string; requestId?: string } = {};
  try {
    const body = JSON.parse(response.body) as { jobId?: unknown; requestId?: unknown };
    if (typeof body.jobId === "string") accepted.jobId = body.jobId;
    if (typeof body.requestId === "string") accepted.requestId = body.requestId;
  } catch {
    // Acceptance is the 2xx status; ids are a bonus for audit lines.
  }
  const headerRequestId = response.headers[REQUEST_ID_HEADER];
  if (accepted.requestId === undefined && headerRequestId !== undefined) accepted.requestId = headerRequestId;
  return accepted;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
