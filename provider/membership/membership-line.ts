/**
 * The plan line the membership provider logs in preview and `up`, written (`describePlan`) and
 * read back (`parseMembershipLine`, by the plan summary) in this one module:
 *
 *     loyal-customers COOKIE: +1,234 −56 IDs (4,000 unchanged)
 *     loyal-customers COOKIE: +5,290 −0 IDs (0 unchanged) (re-assert: every desired ID is sent again)
 *     loyal-customers COOKIE: +284 −5,716 IDs (19,318 unchanged; 6,000 of them re-sent after an interrupted up: +284 −5,716)
 *     loyal-customers MAID: +12 −3 IDs (4,000 unchanged; 7 suppressed; 2 invalid rows skipped)
 *
 * A unit test feeds `describePlan`'s own output through this parser, so the two cannot drift apart.
 */

/** One membership's planned change, as logged. */
export interface MembershipLine {
  /** The spec's audience key. */
  readonly label: string;
  readonly idType: string;
  readonly adds: number;
  readonly removes: number;
  readonly unchanged: number;
  /** The whole desired set is sent again (dsp:reassert or the reassertAfterDays schedule). */
  readonly reassert: boolean;
  /**
   * Of `adds` and `removes`, the IDs sent again because their last send is in doubt (an interrupted
   * up), by the direction the desired set now wants. 0 and 0 after a clean run.
   */
  readonly resentAdds: number;
  readonly resentRemoves: number;
  /** Members the suppression list removed from the desired set; absent when none. */
  readonly suppressed?: number;
  /** Source rows left out as invalid (`onInvalid: skip`); absent when none. */
  readonly skipped?: number;
}

import { ID_TYPE_ALTERNATION } from "../api-vocabulary";
import { fmt } from "../util/format";

/** Appended when the whole desired set is sent again (dsp:reassert or the reassertAfterDays schedule). */
export const REASSERT_NOTE = " (re-assert: every desired ID is sent again)";

export interface PlanCounts {
  /** Every add the up sends, re-sends included. */
  addCount: number;
  /** Every remove the up sends, re-sends included. */
  removeCount: number;
  unchangedCount: number;
  /** In-doubt IDs among the adds and removes: `wanted` of them are re-sent as adds, the rest as removes. */
  inDoubt?: { count: number; wanted: number };
  /** Members the spec's suppression list removed from the desired set. @default 0 (not shown) */
  suppressed?: number;
  /** Source rows left out as invalid (`onInvalid: skip`). @default 0 (not shown) */
  skipped?: number;
}

/**
 * "loyal-customers COOKIE: +1,234 −56 IDs (4,000 unchanged)": `+N −M` is exactly what the up sends.
 * With IDs in doubt after an interrupted up, the line says which part of that is a re-send, by
 * direction: "… +1,284 −5,716 IDs (19,318 unchanged; 6,000 of them re-sent after an interrupted up:
 * +284 −5,716)". With `reassert`, the line ends in {@link REASSERT_NOTE}.
 */
export function describePlan(label: string, idType: string, plan: PlanCounts, reassert = false): string {
  const doubt = plan.inDoubt?.count ?? 0;
  const wanted = plan.inDoubt?.wanted ?? 0;
  const tail =
    (doubt > 0 ? `; ${fmt(doubt)} of them re-sent after an interrupted up: +${fmt(wanted)} −${fmt(doubt - wanted)}` : "") +
    ((plan.suppressed ?? 0) > 0 ? `; ${fmt(plan.suppressed ?? 0)} suppressed` : "") +
    ((plan.skipped ?? 0) > 0 ? `; ${fmt(plan.skipped ?? 0)} invalid rows skipped` : "");
  return `${label} ${idType}: +${fmt(plan.addCount)} −${fmt(plan.removeCount)} IDs (${fmt(plan.unchangedCount)} unchanged${tail})` + (reassert ? REASSERT_NOTE : "");
}

// "−" is U+2212 in the log line; "-" is accepted too in case a terminal or CI log rewrote it.
const LINE = new RegExp(
  `^(\\S+) (${ID_TYPE_ALTERNATION}): \\+([\\d,]+) [−-]([\\d,]+) IDs \\(([\\d,]+) unchanged(?:; [\\d,]+ of them re-sent after an interrupted up: \\+([\\d,]+) [−-]([\\d,]+))?(?:; ([\\d,]+) suppressed)?(?:; ([\\d,]+) invalid rows skipped)?\\)( \\(re-assert\\b[^)]*\\))?\\s*$`,
);

const count = (digits: string): number => Number(digits.replace(/,/g, ""));

/** The membership change in a diagnostic message, or undefined when it is some other message. */
export function parseMembershipLine(message: string): MembershipLine | undefined {
  const m = LINE.exec(message.trim());
  if (m === null) return undefined;
  const [, label, idType, adds, removes, unchanged, resentAdds, resentRemoves, suppressed, skipped, reassert] = m as unknown as [
    string, string, string, string, string, string, string | undefined, string | undefined, string | undefined, string | undefined, string | undefined,
  ];
  return {
    label,
    idType,
    adds: count(adds),
    removes: count(removes),
    unchanged: count(unchanged),
    reassert: reassert !== undefined,
    resentAdds: resentAdds === undefined ? 0 : count(resentAdds),
    resentRemoves: resentRemoves === undefined ? 0 : count(resentRemoves),
    ...(suppressed === undefined ? {} : { suppressed: count(suppressed) }),
    ...(skipped === undefined ? {} : { skipped: count(skipped) }),
  };
}
