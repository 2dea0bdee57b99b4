/**
 * Progress of long work as one line every few seconds: how much of the total is done, the rate,
 * the time left, and the time spent waiting on Amazon's 429s. Pure: the clock and where lines go
 * are injected, and the reporter only counts the client's events (provider/client/events.ts).
 *
 *     loyal-customers COOKIE: 120,000 of 1,000,000 IDs sent (12.0 %), 24,000 IDs/s, ETA 37 s, 1.2 s waiting on 429s
 *     hash-csv: 1,200,000 rows, 100,000 rows/s
 */
import type { DspEventListener } from "../client";
import { fmt } from "../util/format";

/** What is counted and how it is named in the line. */
export interface ProgressWording {
  /** Start of the line, e.g. `loyal-customers COOKIE` or `records people`. */
  readonly label: string;
  /** What is counted, plural: `IDs`, `records`, `rows`. */
  readonly unit: string;
  /** What happened to them, after the count: `sent`, `uploaded`. @default none */
  readonly verb?: string;
}

/** Where the work stands. */
export interface ProgressFigures {
  readonly done: number;
  /** Everything to do; without it the line has no share and no ETA. */
  readonly total?: number;
  /** Since the work started, in ms. */
  readonly elapsedMs: number;
  /**
   * Wall time during which some request waited to retry after a 429, in ms: requests throttled
   * together count once, as they wait together. @default 0
   */
  readonly throttledMs?: number;
}

const whole = (n: number): string => fmt(Math.round(n));

/** "37 s", "8 min 20 s", "1 h 05 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** The progress line; see the module comment for its two shapes. */
export function describeProgress(w: ProgressWording, f: ProgressFigures): string {
  const rate = f.done / Math.max(f.elapsedMs / 1000, 0.001);
  const verb = w.verb === undefined ? "" : ` ${w.verb}`;
  let line: string;
  if (f.total === undefined) {
    line = `${w.label}: ${fmt(f.done)} ${w.unit}${verb}, ${whole(rate)} ${w.unit}/s`;
  } else {
    const share = f.total > 0 ? ((100 * f.done) / f.total).toFixed(1) : "100.0";
    const eta = rate > 0 ? formatDuration((1000 * Math.max(0, f.total - f.done)) / rate) : "unknown";
    line = `${w.label}: ${fmt(f.done)} of ${fmt(f.total)} ${w.unit}${verb} (${share} %), ${whole(rate)} ${w.unit}/s, ETA ${eta}`;
  }
  const throttled = f.throttledMs ?? 0;
  return throttled > 0 ? `${line}, ${(throttled / 1000).toFixed(1)} s waiting on 429s` : line;
}

/** Options of {@link progressTicker}. */
export interface ProgressTickerOptions {
  readonly wording: ProgressWording;
  /** Items to do; a tick past it raises it (the line never says more done than to do). Unknown: a line without share or ETA. */
  readonly total: number | undefined;
  /**
   * Least time between two lines, and before the first, in ms (short work prints none). Once a line
   * has been printed, the moment everything is done prints one more, at once, so that the last line
   * says 100 %. @default PROGRESS_INTERVAL_MS
   */
  readonly intervalMs?: number;
  /** Current time in ms (injected: tests drive it). */
  readonly now: () => number;
  /** Where a line goes, e.g. the engine log with the resource's URN. */
  readonly emit: (line: string) => void;
  /** Wall time waited on 429s so far, in ms, for the line. @default none (not in the line) */
  readonly throttledMs?: () => number;
}

/** Counts work done one item or one batch at a time, and emits its progress line when one is due. */
export interface ProgressTicker {
  /** Counts `items` done (default 1); may emit a line. */
  tick(items?: number): void;
  /** Emits a line if one is due, counting nothing (e.g. after a 429 made the work wait). */
  touch(): void;
  figures(): ProgressFigures;
  readonly done: number;
}

/** Default of {@link ProgressTickerOptions.intervalMs}: "at most one line every few seconds". */
export const PROGRESS_INTERVAL_MS = 5000;

export function progressTicker(o: ProgressTickerOptions): ProgressTicker {
  const started = o.now();
  const interval = o.intervalMs ?? PROGRESS_INTERVAL_MS;
  let lastLine = started;
  let printed = false;
  let done = 0;
  let total = o.total;
  const figures = (): ProgressFigures => ({
    done,
    ...(total === undefined ? {} : { total }),
    elapsedMs: o.now() - started,
    ...(o.throttledMs === undefined ? {} : { throttledMs: o.throttledMs() }),
  });
  const emitIfDue = (finished: boolean): void => {
    const now = o.now();
    // The row of a resource shows its latest line: once there is one, the last one must say 100 %.
    if (now - lastLine < interval && !(finished && printed)) return;
    lastLine = now;
    printed = true;
    o.emit(describeProgress(o.wording, figures()));
  };
  return {
    tick(items = 1) {
      const finished = total !== undefined && done < total && done + items >= total;
      done += items;
      if (total !== undefined) total = Math.max(total, done);
      emitIfDue(finished);
    },
    touch: () => emitIfDue(false),
    figures,
    get done() {
      return done;
    },
  };
}

/** Counts a bulk call's events (accepted IDs, waits on 429s) and emits a progress line at most every `intervalMs`. */
export function progressReporter(o: ProgressTickerOptions & { readonly total: number }): { readonly listener: DspEventListener; figures(): ProgressFigures } {
  let throttledMs = 0;
  let heldUntil = -Infinity;
  const ticker = progressTicker({ ...o, throttledMs: () => throttledMs });
  const listener: DspEventListener = (event) => {
    if (event.type === "ids-accepted") {
      ticker.tick(event.ops);
    } else if (event.type === "retry" && event.reason === "THROTTLED") {
      // A 429 holds the client's whole lane (request-executor.ts): 16 requests throttled at once wait 1 s, not 16.
      const now = o.now();
      const until = now + event.delayMs;
      if (until > heldUntil) {
        throttledMs += until - Math.max(now, heldUntil);
        heldUntil = until;
      }
      ticker.touch();
    }
  };
  return { listener, figures: ticker.figures };
}
