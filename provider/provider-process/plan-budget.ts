/**
 * What a provider's plan may hold in this process: the `dsp:planMemoryMB` budget (a test's
 * override first), and the copies of sets on disk that plans in windows read, one per snapshot
 * store location (each operation's own copies are deleted when it settles; see sync/plan-windows.ts).
 */
import type { SnapshotStore } from "../snapshots";
import { resolvePlanMemoryBytes } from "../config/plan-memory";
import { SpilledCopies } from "../sync/plan-windows";
import { providerConfig, providerOverrides } from "./provider-context";

/** The plan memory budget in bytes. */
export function planMemoryBytes(): number {
  return providerOverrides().planMemoryBytes ?? resolvePlanMemoryBytes(providerConfig());
}

const spilledCopies = new Map<string, SpilledCopies>();

/** Copies of `store`'s sets on disk, for plans in windows. */
export function copiesOf(store: SnapshotStore): SpilledCopies {
  let copies = spilledCopies.get(store.location);
  if (copies === undefined) spilledCopies.set(store.location, (copies = new SpilledCopies(store)));
  return copies;
}
