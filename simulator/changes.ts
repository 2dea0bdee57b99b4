/**
 * The vocabulary of state changes. The store mutates only by applying these, and persistence
 * logs exactly these, so a replayed log rebuilds the same state (event sourcing).
 * Field names are short because membership changes can carry millions of values.
 */
import type { DeletionRequest, HashedField, RequestLogEntry, StoredAudience } from "./model";
import { groupsFromBatch, type MembershipGroup, type PatchBatch } from "./patch-batch";

export type { MembershipGroup } from "./patch-batch";


export type StateChange =
  /** Create or replace one audience. */
  | { k: "audience"; a: StoredAudience }
  /** Membership ops in compact groups; unknown audience ids are ignored. */
  | { k: "members"; g: MembershipGroup[] }
  /**
   * The same for a decoded request body, with `ids[i]` the audiences of op i. In memory only:
   * it is logged as the equivalent "members" change.
   */
  | { k: "batch"; b: PatchBatch; ids: ReadonlyArray<readonly string[]> }
  /** Overwrite hashed-record summaries of client `c`: `[externalId, digests, fields, updatedAt]`. */
  | { k: "records"; c: string; r: Array<[string, string[], HashedField[], number]> }
  /** Forget hashed records of these externalIds. */
  | { k: "records-delete"; c: string; x: string[] }
  /** Record a user-deletion request (its effects come as separate changes). */
  | { k: "deletion"; d: DeletionRequest }
  /** Append to the request log. */
  | { k: "request"; e: RequestLogEntry }
  /** Continue request-log numbering after `n` (snapshots only). */
  | { k: "request-seq"; n: number }
  /** Forget everything (request-log sequence numbers keep counting). */
  | { k: "reset" };

/** The change as it is written to the log (plain JSON data). */
export function loggable(change: StateChange): StateChange {
  return change.k === "batch" ? { k: "members", g: groupsFromBatch(change.b, change.ids) } : change;
}
