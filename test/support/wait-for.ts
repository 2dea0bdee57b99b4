/**
 * Bounded waits for tests: every poll stops after a fixed number of attempts and every awaited
 * event after a hang guard, and each fails with a message naming what it waited for. The bounds
 * guard against hangs; they are not speed checks.
 */

export interface PollOptions {
  /** Checks of the condition before giving up. @default 2400 */
  attempts?: number;
  /** Pause between two checks, in ms. @default 25 */
  intervalMs?: number;
}

/** Polls `condition` until it holds; throws `timed out waiting for <what>` when it never does. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, options: PollOptions = {}): Promise<void> {
  const { attempts = 2400, intervalMs = 25 } = options;
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what} (${attempts} checks ${intervalMs} ms apart)`);
}

/** `promise`, or a failure naming `what` when it has not settled after `ms` (a hang guard). */
export async function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}
