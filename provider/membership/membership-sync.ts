import type { DspClient, DspEventListener, KeyedBatch, MembershipOpColumn, PatchBatch, PatchBatchLimits } from "../client";
import { DEFAULT_PATCH_BATCH_LIMITS, packMembershipColumns } from "../client";
import type { IdSelection, MembershipIdType, MembershipPlan } from "../plan";
import { IdSelection as Selection } from "../plan";
import { sendTracked } from "../sync/tracked-send";

/** How a plan is sent. */
export interface MembershipSyncOptions {
  /** Audience id (int64 decimal string). */
  audienceId: string;
  idType: MembershipIdType;
  /** Consent sent with every patch. @default none */
  consent?: Readonly<Record<string, unknown>>;
  /** Body limits. @default 1,000,000 bytes and 2,000 patches */
  limits?: PatchBatchLimits;
  /** Requests in flight at once; the client's own lane throttle still applies. @default 16 */
  concurrency?: number;
  /** IDs turned into strings and packed at a time; bounds memory on initial syncs of millions. @default 100,000 */
  chunkSize?: number;
  onProgress?: DspEventListener;
}

/** What was accepted, also when the sync failed part way. */
export interface MembershipSyncResult {
  /** The removes and adds Amazon accepted (a subset of the plan's when `error` is set). */
  accepted: { removes: IdSelection; adds: IdSelection };
  /**
   * Removes and adds of requests whose answer did not prove the outcome (5xx, timeout, dropped
   * connection, retries given up): they may or may not have been applied. Requests answered with a
   * rejecting 4xx, and those never sent after the first failure, are in neither list.
   */
  unknown: { removes: IdSelection; adds: IdSelection };
  requests: number;
  requestIds: string[];
  jobIds: string[];
  /** The first failure; the sync stopped sending new requests after it. */
  error?: Error;
}

/** Positions [start, end) in the plan's removes-then-adds sequence: the key of one request body. */
interface PositionRange {
  start: number;
  end: number;
}

/**
 * Removes, then adds, packed lazily chunk by chunk into as few bodies as the limits allow (the
 * two sets are disjoint, so one body may carry both). Positions: removes are 0..R-1, adds
 * R..R+A-1; a batch covers `batch.patches` consecutive positions because each patch is one ID of
 * this one audience.
 */
function* plannedBatches(plan: MembershipPlan, opts: MembershipSyncOptions): Generator<KeyedBatch<PositionRange, PatchBatch>> {
  const limits = opts.limits ?? DEFAULT_PATCH_BATCH_LIMITS;
  const chunk = opts.chunkSize ?? 100_000;
  const audienceIds = [opts.audienceId];
  const consent = opts.consent === undefined ? {} : { consent: opts.consent };
  const total = plan.removeCount + plan.addCount;
  function* columns(): Generator<MembershipOpColumn> {
    for (let from = 0; from < total; from += chunk) {
      const to = Math.min(total, from + chunk);
      const removes: string[] = [];
      const adds: string[] = [];
      for (let k = from; k < to; k++) {
        if (k < plan.removeCount) removes.push(plan.removes.idAt(k));
        else adds.push(plan.adds.idAt(k - plan.removeCount));
      }
      if (removes.length > 0) yield { op: "remove", type: opts.idType, values: removes, audienceIds, ...consent };
      if (adds.length > 0) yield { op: "add", type: opts.idType, values: adds, audienceIds, ...consent };
    }
  }
  let position = 0;
  for (const batch of packMembershipColumns(columns(), limits)) {
    yield { ...batch, keys: [{ start: position, end: position + batch.patches }] };
    position += batch.patches;
  }
}

const ACCEPTED = 1;
const UNKNOWN = 2;

/**
 * Sends a membership plan and reports exactly which of its IDs Amazon accepted. Each request is
 * tracked on its own, so a failure part way (a retry budget spent on a 429 storm, a crash of the
 * network) still tells the caller what to record as applied: the next run resends only the rest.
 */
export async function syncMembership(client: Pick<DspClient, "sendBody">, plan: MembershipPlan, opts: MembershipSyncOptions): Promise<MembershipSyncResult> {
  const total = plan.removeCount + plan.addCount;
  /** Per position: 0 not sent or rejected, ACCEPTED, UNKNOWN. */
  const outcome = new Uint8Array(total);
  const requestIds: string[] = [];
  const jobIds: string[] = [];
  let requests = 0;
  const source = plannedBatches(plan, opts);
  const patchOptions = opts.onProgress ? { onProgress: opts.onProgress } : {};

  const sent = await sendTracked(source, (batch) => client.sendBody({ kind: "audienceMembership", batch }, patchOptions), {
    concurrency: opts.concurrency ?? 16,
    onOutcome({ keys, outcome: sentOutcome, answer }) {
      for (const { start, end } of keys) {
        if (sentOutcome === "accepted") outcome.fill(ACCEPTED, start, end);
        else if (sentOutcome === "unknown") outcome.fill(UNKNOWN, start, end);
      }
      if (answer === undefined) return;
      requests++;
      if (answer.requestId !== undefined) requestIds.push(answer.requestId);
      if (answer.jobId !== undefined) jobIds.push(answer.jobId);
    },
  });
  const error = sent.error;

  const pick = (sel: IdSelection, offset: number, wanted: number): IdSelection => {
    const kept: number[] = [];
    for (let k = 0; k < sel.size; k++) if (outcome[offset + k] === wanted) kept.push(sel.indices[k] as number);
    return new Selection(sel.set, Uint32Array.from(kept));
  };
  const none = (sel: IdSelection): IdSelection => new Selection(sel.set, new Uint32Array(0));
  const result: MembershipSyncResult = {
    accepted: error
      ? { removes: pick(plan.removes, 0, ACCEPTED), adds: pick(plan.adds, plan.removeCount, ACCEPTED) }
      : { removes: plan.removes, adds: plan.adds },
    unknown: error
      ? { removes: pick(plan.removes, 0, UNKNOWN), adds: pick(plan.adds, plan.removeCount, UNKNOWN) }
      : { removes: none(plan.removes), adds: none(plan.adds) },
    requests,
    requestIds,
    jobIds,
  };
  if (error) result.error = error;
  return result;
}
