/**
 * One provider process at a time per sync record. A record that guards a send (a membership's
 * sync, a records upload, an audience's create or metadata PUT) carries who holds it: process id,
 * host and a heartbeat the holder rewrites while it works. `kill -9` of the `pulumi` process alone
 * leaves its provider running (Pulumi starts plugins in process groups of their own), still
 * sending and writing its record; the next `up` must not plan from a record that is still moving.
 *
 * So a new sync that finds a live holder waits for it (bounded, with a line saying so) and then
 * plans from what it recorded, or stops with one message naming the process. A dead holder's
 * record is taken over as it stands. Liveness: on the same host, the process must exist and its
 * heartbeat be recent; on another host, the heartbeat alone decides (its age is read against this
 * host's clock, so the stale limit leaves room for clock skew). Within one process, a hold is live
 * while the call that took it runs.
 *
 * Stores have no compare-and-swap, so two new syncs that find the same dead holder at the same
 * instant could both take over; Pulumi's stack lock keeps two `up`s of one stack apart, and the
 * orphaned provider this guards against starts no new sync.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Clock } from "../client/clock";
import type { SnapshotStore } from "../snapshots";
import { fmt } from "../util/format";

/** Who holds a record, as written in it (`holder`). Absent: nobody (the last holder released it). */
export interface SyncHolder {
  pid: number;
  host: string;
  /** Tells this process from a later one that got the same pid. */
  token: string;
  /** ISO time of the holder's last heartbeat. */
  heartbeat: string;
}

/** How holds are kept and waited for. */
export interface HoldTiming {
  /** Between two heartbeats of a holder, in ms. @default 5,000 */
  heartbeatMs: number;
  /**
   * A holder whose last heartbeat is older than this is gone, in ms (a stopped or hung process,
   * or a pid reused by another). @default 60,000
   */
  staleMs: number;
  /** How long a sync waits for a live holder before it stops, in ms. @default 600,000 (10 minutes) */
  waitMs: number;
  /** Between two looks at the record while waiting, in ms. @default 1,000 */
  pollMs: number;
}

export const DEFAULT_HOLD_TIMING: HoldTiming = { heartbeatMs: 5_000, staleMs: 60_000, waitMs: 600_000, pollMs: 1_000 };

/** What a hold needs from the process: time, its identity, and a look at other processes. */
export interface HoldEnvironment {
  clock: Pick<Clock, "now" | "sleep">;
  self: { pid: number; host: string; token: string };
  /** True while a process with this pid runs on this host. */
  isProcessAlive(pid: number): boolean;
  /** Calls `tick` every `ms` until the returned function is called; must not keep the process alive. */
  every(ms: number, tick: () => void): () => void;
}

/** This process: the system clock, `process.pid`, the host name, and a token made at start. */
export const processHoldEnvironment: HoldEnvironment = {
  clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  self: { pid: process.pid, host: hostname(), token: randomUUID() },
  isProcessAlive,
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** `process.kill(pid, 0)`, and on Linux a zombie (killed, not yet reaped) counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS, Windows): the signal check is all there is
  }
}

/** Record names this process holds now. */
const heldHere = new Set<string>();

/** True while this process holds the record `name` (a sweep leaves such records alone). */
export function isHeldHere(name: string): boolean {
  return heldHere.has(name);
}

/** The holder written in a record, if it is one. */
export function holderOf(record: unknown): SyncHolder | undefined {
  const holder = (record as { holder?: Partial<SyncHolder> } | undefined)?.holder;
  if (holder === undefined || typeof holder !== "object" || holder === null) return undefined;
  const { pid, host, token, heartbeat } = holder;
  if (typeof pid !== "number" || typeof host !== "string" || typeof token !== "string" || typeof heartbeat !== "string") return undefined;
  return { pid, host, token, heartbeat };
}

export type HolderState =
  | { live: true; holder: SyncHolder; ageMs: number }
  | { live: false; holder?: SyncHolder; why: "none" | "exited" | "silent" };

/** Whether the holder of record `name` is still at work. Pure but for the environment's look at processes. */
export function holderState(name: string, holder: SyncHolder | undefined, env: HoldEnvironment, timing: Pick<HoldTiming, "staleMs">): HolderState {
  if (holder === undefined) return { live: false, why: "none" };
  if (holder.token === env.self.token) return heldHere.has(name) ? { live: true, holder, ageMs: 0 } : { live: false, holder, why: "exited" };
  const ageMs = env.clock.now() - Date.parse(holder.heartbeat);
  if (!(ageMs <= timing.staleMs)) return { live: false, holder, why: "silent" };
  if (holder.host === env.self.host && !isProcessAlive0(env, holder.pid)) return { live: false, holder, why: "exited" };
  return { live: true, holder, ageMs: Math.max(0, ageMs) };
}

function isProcessAlive0(env: HoldEnvironment, pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0 && env.isProcessAlive(pid);
}

/** "process 4242 on host ci-7" */
export function describeHolder(holder: SyncHolder): string {
  return `process ${holder.pid} on host ${holder.host}`;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${fmt(Math.round(ms / 1000))} s` : `${fmt(Math.round(ms / 60_000))} min`;
}

/** A sync record held by a live process for longer than the wait allows. */
export class SyncHeldError extends Error {
  override name = "SyncHeldError";
  constructor(
    readonly subject: string,
    readonly holder: SyncHolder,
    heartbeatAgeMs: number,
    waitedMs: number,
  ) {
    super(
      `${subject}: ${describeHolder(holder)} is still syncing it (last heartbeat ${seconds(heartbeatAgeMs)} ago; most likely the ` +
        `provider of an earlier \`pulumi up\` whose \`pulumi\` process was killed), and this up waited ${seconds(waitedMs)} for it. ` +
        `Let it finish (or stop it: \`kill ${holder.pid}\` on ${holder.host}), then run \`pulumi up\` again.`,
    );
  }
}

/** What waiting for a record says, and about what. */
export interface WaitOptions {
  env: HoldEnvironment;
  timing: HoldTiming;
  /** Names the guarded work in lines and errors, e.g. "loyal COOKIE". */
  subject: string;
  /** Hears the lines that say what happens (waiting, taking over). */
  say(line: string): Promise<void>;
}

/**
 * Waits until nobody live holds record `name` (bounded by `timing.waitMs`) and returns the record
 * as it then stands.
 * @throws SyncHeldError when a live holder still holds it after the wait
 */
export async function awaitRelease(store: SnapshotStore, name: string, options: WaitOptions): Promise<unknown> {
  const { env, timing, subject } = options;
  const started = env.clock.now();
  let waitedFor: SyncHolder | undefined;
  for (;;) {
    const record = await store.readRecord(name);
    const state = holderState(name, holderOf(record), env, timing);
    if (!state.live) {
      // A holder still named in the record did not release it: it stopped part-way.
      if (state.holder !== undefined && state.holder.token !== env.self.token) {
        await options.say(`${subject}: ${describeHolder(state.holder)} stopped before it finished (${state.why === "exited" ? "it is gone" : "no heartbeat since " + state.holder.heartbeat}); planning from what it recorded`);
      } else if (waitedFor !== undefined) {
        await options.say(`${subject}: ${describeHolder(waitedFor)} finished; planning from what it recorded`);
      }
      return record;
    }
    const waited = env.clock.now() - started;
    if (waited >= timing.waitMs) throw new SyncHeldError(subject, state.holder, state.ageMs, waited);
    if (waitedFor?.token !== state.holder.token) {
      waitedFor = state.holder;
      await options.say(
        `${subject}: waiting for ${describeHolder(state.holder)} (heartbeat ${seconds(state.ageMs)} ago), which is still syncing it ` +
          `(the provider of an earlier \`pulumi up\`), for up to ${seconds(timing.waitMs - waited)}`,
      );
    }
    await env.clock.sleep(Math.min(timing.pollMs, timing.waitMs - waited));
  }
}

/**
 * A record held by this process: every write stamps the holder with a fresh heartbeat, a timer
 * rewrites the last one while the work goes on, and {@link release} writes the last without a holder.
 */
export class SyncHold {
  #current: Record<string, unknown> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #beating = false;
  #stop: () => void;
  #ended = false;

  private constructor(
    private readonly store: SnapshotStore,
    readonly name: string,
    private readonly env: HoldEnvironment,
    timing: HoldTiming,
    /** The record as it stood when the hold was taken. */
    readonly found: unknown,
    onHeartbeatError: (error: Error) => void,
  ) {
    this.#stop = env.every(timing.heartbeatMs, () => {
      if (this.#beating || this.#current === undefined || this.#ended) return;
      this.#beating = true;
      this.#write(this.#current, true).then(
        () => (this.#beating = false),
        (error: unknown) => {
          this.#beating = false;
          onHeartbeatError(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * Waits for a live holder to finish (see {@link awaitRelease}), then holds record `name`: a
   * record found is written back at once with this process as its holder.
   */
  static async take(store: SnapshotStore, name: string, options: WaitOptions & { onHeartbeatError(error: Error): void }): Promise<SyncHold> {
    const found = await awaitRelease(store, name, options);
    heldHere.add(name);
    const hold = new SyncHold(store, name, options.env, options.timing, found, options.onHeartbeatError);
    try {
      if (found !== null && typeof found === "object") await hold.write(found as Record<string, unknown>);
    } catch (error) {
      hold.end();
      throw error;
    }
    return hold;
  }

  /** Writes `record` as held by this process. */
  write(record: object): Promise<void> {
    if (this.#ended) return Promise.reject(new Error(`records/${this.name}.json: written after its hold ended`));
    this.#current = record as Record<string, unknown>;
    return this.#write(this.#current, true);
  }

  /** Writes the last record written (with `changes`, if any) without a holder and ends the hold. */
  async release(changes: object = {}): Promise<void> {
    const last = this.#current;
    this.#stopHolding();
    if (last !== undefined) await this.#write({ ...last, ...changes }, false);
  }

  /** The time of this hold's clock. */
  now(): Date {
    return new Date(this.env.clock.now());
  }

  /**
   * Ends the hold without writing (the work failed or was cut short): the record keeps this process
   * as its holder, which a later look finds gone (this call has returned; the process exits).
   */
  end(): void {
    this.#stopHolding();
  }

  #stopHolding(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stop();
    heldHere.delete(this.name);
  }

  /** Writes in order: a heartbeat never overwrites a later write. */
  #write(record: Record<string, unknown>, held: boolean): Promise<void> {
    const { holder: _previous, ...rest } = record;
    const value = held ? { ...rest, holder: this.#stamp() } : rest;
    const run = this.#queue.then(() => this.store.writeRecord(this.name, value));
    this.#queue = run.then(
      () => undefined,
      () => undefined, // the caller of this write hears its failure; the next write still goes
    );
    return run;
  }

  #stamp(): SyncHolder {
    const { pid, host, token } = this.env.self;
    return { pid, host, token, heartbeat: new Date(this.env.clock.now()).toISOString() };
  }
}
