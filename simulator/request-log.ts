/** Bounded, sequence-numbered log of the requests the simulator answered. */
import type { RequestLogEntry } from "./model";

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private lastSeq = 0;

  constructor(private readonly limit: number) {}

  /** Sequence number the next entry will get. */
  nextSeq(): number {
    return this.lastSeq + 1;
  }

  append(entry: RequestLogEntry): void {
    this.lastSeq = Math.max(this.lastSeq, entry.seq);
    this.entries.push(entry);
    // Trim in chunks so that appending stays O(1) amortised.
    if (this.entries.length > this.limit + Math.max(16, this.limit >> 3)) this.entries = this.entries.slice(-this.limit);
  }

  /** Entries with `seq > since`, oldest first. */
  since(since = 0): RequestLogEntry[] {
    const all = this.entries.length > this.limit ? this.entries.slice(-this.limit) : this.entries;
    // Entries are in seq order, so binary-search the first one after `since`.
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((all[mid]?.seq ?? Infinity) <= since) lo = mid + 1;
      else hi = mid;
    }
    return all.slice(lo);
  }

  /** Number the next entries after `seq` (used when restoring a snapshot). */
  continueAfter(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  /** Forget the entries but keep counting, so that `since` cursors stay valid. */
  clear(): void {
    this.entries = [];
  }
}
