/**
 * Audiences registered a few at a time during `pulumi up`, so that a membership starts as soon as
 * its own audience exists.
 *
 * Why: the engine hands each registration's step to one of `--parallel` workers (4 per CPU by
 * default) in the order registrations arrive, and its event loop waits for a free worker before it
 * reads the next registration (pulumi v3.274 step_executor.go: `ExecuteSerial` sends on an
 * unbuffered channel). Registered all at once, 1,000 audiences fill that queue; each create waits
 * about a second for the metadata lane (1 request/s), so a membership, registered only once its
 * audience's id is known, queued behind every audience create still to come: the first membership
 * started after nearly every audience had been created. With at most half the workers' worth of
 * audiences registered and not yet done, the other half is free for the memberships of the
 * audiences already created.
 *
 * A preview registers everything at once: it creates nothing, and its steps take no time.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Declares a resource now or once a slot is free. */
export interface RegistrationWindow {
  /**
   * Runs `declare` at once when fewer than the window's size of earlier declarations are still
   * being registered, else once one of them is done.
   * @returns the declared resource, or a promise of it when it had to wait
   */
  admit<R extends pulumi.Resource>(declare: () => R): R | Promise<R>;
  /** Hears each declaration's registration end (done or failed), in the order they end. */
  onSettled(listener: () => void): void;
}

/**
 * The window's size for an engine running `parallel` steps at once: half of them (at least one),
 * or none (undefined) when the engine has no limit (`--parallel` unset by the SDK, or huge).
 */
export function windowSize(parallel: number | undefined): number | undefined {
  if (parallel === undefined || !Number.isFinite(parallel) || parallel <= 0 || parallel >= UNLIMITED_PARALLEL) return undefined;
  return Math.max(1, Math.floor(parallel / 2));
}

/** From this many workers on the engine's queue never fills: `math.MaxInt32` is its "unlimited". */
const UNLIMITED_PARALLEL = 1 << 20;

/** The engine's `--parallel`, as the Node.js SDK's `run` hands it to the program. */
export function engineParallelism(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env["PULUMI_NODEJS_PARALLEL"];
  const n = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

/** What Pulumi's outputs expose at run time but not in their typings: the promise of their value. */
interface OutputPromise {
  readonly promise?: unknown;
}

/** Settles when the resource's registration has ended, however it ended. */
function registered(resource: pulumi.Resource): Promise<void> {
  const urn = resource.urn as unknown as OutputPromise;
  // The URN resolves with the engine's answer to the registration, after the step ran.
  if (typeof urn.promise === "function") return (urn.promise as () => Promise<unknown>).call(urn).then(() => undefined, () => undefined);
  return new Promise((resolve) => void resource.urn.apply(() => resolve()));
}

/**
 * A window of `size` registrations in flight; undefined size: no window (everything at once).
 * @param settledOf when a declaration's registration has ended @default its URN's resolution
 */
export function registrationWindow(size: number | undefined, settledOf: (resource: pulumi.Resource) => Promise<void> = registered): RegistrationWindow {
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const listeners: Array<() => void> = [];
  const start = <R extends pulumi.Resource>(declare: () => R): R => {
    inFlight++;
    let resource: R;
    try {
      resource = declare();
    } catch (error) {
      inFlight--;
      throw error;
    }
    void settledOf(resource).then(() => {
      inFlight--;
      for (const listener of listeners) listener();
      waiting.shift()?.();
    });
    return resource;
  };
  return {
    admit(declare) {
      if (size === undefined || inFlight < size) return start(declare);
      return new Promise((resolve, reject) => {
        waiting.push(() => {
          try {
            resolve(start(declare));
          } catch (error) {
            reject(error);
            // This one declared nothing: the next one may go.
            waiting.shift()?.();
          }
        });
      });
    },
    onSettled(listener) {
      listeners.push(listener);
    },
  };
}
