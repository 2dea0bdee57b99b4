/**
 * The plan of UserDeletions, in memory or, when its sets exceed `dsp:planMemoryMB`, in windows
 * (issue 25): a deletion is paired with its sent entry, and with its repeats under other consent
 * times, by its key (type, value, advertiser), so a window is a range of the key's fingerprint,
 * and each window's part of the desired and sent sets is read from their copies on disk. Each
 * window's plan is exactly the whole plan's part in it; the counts add up.
 */
import { IdSet, type SpilledSet } from "../plan";
import type { SnapshotStore } from "../snapshots";
import { planWindows, WHOLE_SET, type PlanWindow, type SpilledCopies } from "../sync/plan-windows";
import { keyedView } from "../sync/keyed-windows";
import { decodeDeletion, deletionKey, planDeletions, sentKeyOf, type DeletionsInputs, type DeletionsOutputs, type DeletionsPlan } from "./deletions";

/**
 * A deletion's planning cost in cookie IDs' (see PLAN_BYTES_PER_ID): its entry (~80 bytes of
 * JSON) decoded into an object, and its key in a JS Set, as {@link planDeletions} holds them.
 */
const COST_IN_IDS = 4;

/** The key of a desired entry (an encoded deletion) or of a sent one (key, tab, requestId). */
function keyOfEntry(entry: string): string {
  return entry.includes("\t") ? sentKeyOf(entry) : deletionKey(decodeDeletion(entry));
}

/** One window's plan, and its part of the sent set. */
export interface DeletionsWindowPlan {
  plan: DeletionsPlan;
  sent: IdSet;
}

/** The plan over every window. */
export interface PlannedDeletions {
  windows: readonly PlanWindow[];
  toSend: number;
  alreadySent: number;
  droppedFromSpec: number;
  /** The plan of one window (computed again for each call when there are several windows). */
  planIn(window: PlanWindow): Promise<DeletionsWindowPlan>;
  /** The sent set on disk, for a plan in windows that must store it again with more entries. */
  sentCopy(): Promise<SpilledSet | undefined>;
}

/** What a deletions plan reads and how much memory it may take. */
export interface DeletionsPlanContext {
  store: SnapshotStore;
  /** Copies of sets on disk for plans in windows (the operation's own). */
  copies: SpilledCopies;
  /** `dsp:planMemoryMB` in bytes. */
  memoryBytes: number;
}

/** The desired deletions against those sent before; throws SnapshotMissingError when a set is not stored. */
export async function planDeletionsIn(context: DeletionsPlanContext, olds: Partial<DeletionsOutputs>, news: DeletionsInputs): Promise<PlannedDeletions> {
  const windows = planWindows((news.desiredCount + (olds.sentCount ?? 0)) * COST_IN_IDS, context.memoryBytes);
  const sentDigest = olds.sentDigest;
  const planWith = async (store: SnapshotStore): Promise<DeletionsWindowPlan> => {
    const desired = await store.get(news.desiredDigest);
    const sent = sentDigest ? await store.get(sentDigest) : IdSet.empty();
    return { plan: planDeletions(desired, sent), sent };
  };
  if (windows.length === 1) {
    const whole = await planWith(context.store);
    const { toSend, alreadySent, droppedFromSpec } = whole.plan;
    return { windows: WHOLE_SET, toSend: toSend.length, alreadySent, droppedFromSpec, planIn: () => Promise.resolve(whole), sentCopy: () => Promise.resolve(undefined) };
  }
  const planIn = (window: PlanWindow): Promise<DeletionsWindowPlan> => planWith(keyedView(context.copies, window, keyOfEntry));
  const sums = { toSend: 0, alreadySent: 0, droppedFromSpec: 0 };
  // Every window once for the sums; each window's sets are dropped before the next is read.
  for (const window of windows) {
    const { plan } = await planIn(window);
    sums.toSend += plan.toSend.length;
    sums.alreadySent += plan.alreadySent;
    sums.droppedFromSpec += plan.droppedFromSpec;
  }
  return { windows, ...sums, planIn, sentCopy: () => (sentDigest ? context.copies.copyOf(sentDigest) : Promise.resolve(undefined)) };
}
