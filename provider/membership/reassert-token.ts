/**
 * The re-assert token the program hands every membership. A membership whose token changes
 * re-sends its whole desired set once (see membership-provider.ts): for recovery, and to refresh
 * membership TTLs before Amazon lets members age out.
 *
 * Two sources, combined:
 * - `dsp:reassert` (manual): change the value to re-assert now.
 * - `settings.reassertAfterDays: N` in the spec (scheduled): the token names the current N-day
 *   period since the Unix epoch, `floor(days since epoch / N)`, so it changes every N days and
 *   the first `up` of a new period re-asserts. Periods are counted in UTC from 1970-01-01, so
 *   every machine and every CI run agrees on the current one.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of {@link reassertToken}. */
export interface ReassertTokenOptions {
  /** `dsp:reassert`: any value; a new one re-asserts once. @default none */
  readonly manual?: string | undefined;
  /** `settings.reassertAfterDays`: re-assert automatically once per this many days (1..397). @default none (never automatically) */
  readonly everyDays?: number | undefined;
  /** Now, in epoch milliseconds (injected for tests). @default Date.now() */
  readonly now?: number;
}

/** The index of the `everyDays`-day period that contains `now` (epoch ms), counted from the epoch in UTC. */
export function reassertPeriod(now: number, everyDays: number): number {
  if (!Number.isInteger(everyDays) || everyDays < 1) throw new RangeError(`reassertAfterDays must be a positive integer, got ${everyDays}`);
  return Math.floor(now / (everyDays * DAY_MS));
}

/** When the period containing `now` ends, i.e. when the next scheduled re-assert becomes due. */
export function nextReassertAt(now: number, everyDays: number): Date {
  return new Date((reassertPeriod(now, everyDays) + 1) * everyDays * DAY_MS);
}

/**
 * The token for this run, or undefined when neither source is set. A manual token alone is
 * passed through unchanged, so stacks that used `dsp:reassert` before the schedule existed see
 * no change; adding or changing the schedule changes the token, which re-asserts once.
 */
export function reassertToken(options: ReassertTokenOptions): string | undefined {
  const manual = options.manual === undefined || options.manual === "" ? undefined : options.manual;
  if (options.everyDays === undefined) return manual;
  const scheduled = `every-${options.everyDays}d-${reassertPeriod(options.now ?? Date.now(), options.everyDays)}`;
  return manual === undefined ? scheduled : `${manual}+${scheduled}`;
}
