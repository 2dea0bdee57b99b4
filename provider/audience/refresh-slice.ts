/**
 * Which audiences a sliced `pulumi refresh` reads (see config/refresh-slices.ts). Pure.
 *
 * An audience's slice follows from its spec key alone (a hash), so it does not move when other
 * audiences come or go, and the slices are about equal. The slice read is the period's: the
 * number of whole periods since 1970 (UTC), modulo the number of slices. Successive periods take
 * successive slices, so `slices` periods in a row read every audience exactly once.
 */
import { createHash } from "node:crypto";
import type { RefreshSlicing } from "../config/refresh-slices";

/** The slice of the audience named `key` (its spec key, the resource's name): 0 … slices − 1. */
export function sliceOfAudience(key: string, slices: number): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % slices;
}

/** The slice whose turn it is at `nowMs`. */
export function sliceOfPeriod(nowMs: number, slicing: RefreshSlicing): number {
  return Math.floor(nowMs / slicing.periodMs) % slicing.slices;
}

/** How many periods after the current one the audience's slice has its turn (0: now). */
export function periodsUntilTurn(key: string, nowMs: number, slicing: RefreshSlicing): number {
  const s = slicing.slices;
  return (((sliceOfAudience(key, s) - sliceOfPeriod(nowMs, slicing)) % s) + s) % s;
}

/** "slice 3 of 7" (1-based, as people count). */
export function sliceName(slice: number, slicing: RefreshSlicing): string {
  return `slice ${slice + 1} of ${slicing.slices}`;
}

/** The keys of `catalog` in the slice whose turn it is at `nowMs`, in catalog order. */
export function keysOfTurn(catalog: readonly string[], nowMs: number, slicing: RefreshSlicing): string[] {
  const turn = sliceOfPeriod(nowMs, slicing);
  return catalog.filter((key) => sliceOfAudience(key, slicing.slices) === turn);
}
