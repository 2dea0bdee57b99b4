/**
 * Progress of work done one item at a time (audiences created, audiences read) as the lines of
 * progress-line.ts: at most one every `intervalMs`, and once a line has been printed, one more the
 * moment everything is done, so that the row's last line says 100 %. Pure: clock and output injected.
 *
 *     audiences: 120 of 1,000 created or unchanged (12.0 %), 1 audiences/s, ETA 14 min 40 s
 */
import { describeProgress, PROGRESS_INTERVAL_MS, type ProgressWording } from "./progress-line";

/** Options of {@link progressTicker}. */
export interface ProgressTickerOptions {
  readonly wording: ProgressWording;
  /** Items to do; a tick past it raises it (the line never says more done than to do). Unknown: a line without share or ETA. */
  readonly total: number | undefined;
  /** Least time between two lines, and before the first, in ms. @default PROGRESS_INTERVAL_MS */
  readonly intervalMs?: number;
  /** Current time in ms. */
  readonly now: () => number;
  readonly emit: (line: string) => void;
}

/** Counts items done; `tick` may emit a line. */
export interface ProgressTicker {
  tick(items?: number): void;
  readonly done: number;
}

export function progressTicker(o: ProgressTickerOptions): ProgressTicker {
  const started = o.now();
  const interval = o.intervalMs ?? PROGRESS_INTERVAL_MS;
  let lastLine = started;
  let printed = false;
  let done = 0;
  let total = o.total;
  return {
    tick(items = 1) {
      const now = o.now();
      const finished = total !== undefined && done < total && done + items >= total;
      done += items;
      if (total !== undefined) total = Math.max(total, done);
      if (now - lastLine < interval && !(finished && printed)) return;
      lastLine = now;
      printed = true;
      o.emit(describeProgress(o.wording, { done, ...(total === undefined ? {} : { total }), elapsedMs: now - started }));
    },
    get done() {
      return done;
    },
  };
}
