/**
 * Everything a route needs besides the request: options, store, tokens, throttle, faults, and
 * `commit`, the single way state changes (store + log).
 */
import { TokenAuthority } from "./auth";
import { loggable, type StateChange } from "./changes";
import { FaultInjector } from "./faults";
import { createMatchModel } from "./match-model";
import type { ResolvedOptions } from "./options";
import { Persistence } from "./persistence";
import { Store } from "./store";
import { Throttle } from "./throttle";

export class SimulatorCore {
  readonly store: Store;
  readonly tokens: TokenAuthority;
  readonly throttle: Throttle;
  readonly faults: FaultInjector;
  private readonly persistence: Persistence | undefined;
  /** Accepted audience patches waiting for `patchApplyDelayMs`. */
  private pending = new Map<NodeJS.Timeout, StateChange[]>();
  private compactionScheduled = false;
  private closed = false;

  constructor(readonly options: ResolvedOptions) {
    this.store = new Store({
      audienceIdBase: options.audienceIdBase,
      matchModel: createMatchModel(options.matchSeed, options.matchRates),
      requestLogLimit: options.requestLogLimit,
    });
    this.tokens = new TokenAuthority(options.clients, options.accessTokenTtlSeconds, options.clock);
    this.throttle = new Throttle(options.clock);
    this.faults = new FaultInjector(options.faults);
    if (options.dataDir !== undefined) {
      this.persistence = Persistence.open(options.dataDir, options.compactAfterBytes);
      this.persistence.load((change) => this.store.apply(change));
      // Start from a fresh snapshot so that the log only holds this run's changes.
      if (this.persistence.logBytes > 0) this.persistence.compact(this.store.snapshot());
    }
  }

  /** Applies changes to the store and logs them as one line. */
  commit(changes: StateChange[]): void {
    for (const change of changes) this.store.apply(change);
    // After close() (e.g. a request delayed by a latency fault) the log is gone; memory only.
    if (!this.persistence || this.closed) return;
    this.persistence.append(changes.map(loggable));
    if (this.persistence.needsCompaction && !this.compactionScheduled) {
      this.compactionScheduled = true;
      // Compact between requests, never inside one.
      setImmediate(() => {
        this.compactionScheduled = false;
        this.compact();
      });
    }
  }

  /** Commits after `delayMs`, like Amazon's asynchronous audience job; 0 commits now. */
  commitLater(delayMs: number, changes: StateChange[]): void {
    if (delayMs <= 0) return this.commit(changes);
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.commit(changes);
    }, delayMs);
    this.pending.set(timer, changes);
  }

  /** Commits every pending delayed change now, in acceptance order. */
  flushPending(): void {
    for (const [timer, changes] of this.pending) {
      clearTimeout(timer);
      this.commit(changes);
    }
    this.pending.clear();
  }

  compact(): void {
    if (!this.closed) this.persistence?.compact(this.store.snapshot());
  }

  /** Forgets all state (`POST /__sim/reset`); faults and tokens stay. */
  reset(): void {
    for (const timer of this.pending.keys()) clearTimeout(timer);
    this.pending.clear();
    this.throttle.reset();
    this.commit([{ k: "reset" }]);
    this.compact();
  }

  /** Applies pending patches, snapshots and closes the log. */
  close(): void {
    if (this.closed) return;
    this.flushPending();
    if (this.persistence) {
      this.compact();
      this.persistence.close();
    }
    this.closed = true;
  }
}
