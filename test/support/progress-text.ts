/** Reading the figures of progress lines (provider/provider-process/progress-line.ts) back. */
import { strict as assert } from "assert";

/** A shown count ("1,200") as a number. */
export const shownCount = (s: string): number => Number(s.replace(/,/g, ""));

/** "37 s", "8 min 20 s", "1 h 05 min" or "unknown" in seconds (undefined for "unknown"). */
export function etaSeconds(text: string): number | undefined {
  if (text === "unknown") return undefined;
  const m = /^(?:(\d+) h )?(?:(\d+) min)? ?(?:(\d+) s)?$/.exec(text);
  assert.ok(m, `an ETA: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
