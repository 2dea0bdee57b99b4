/**
 * Reads back the plan line the membership provider logs in preview (`describePlan` in
 * provider/resources/membership-provider.ts):
 *
 *     loyal-customers COOKIE: +1,234 −56 IDs (4,000 unchanged)
 *     loyal-customers COOKIE: +5,290 −0 IDs (0 unchanged) (re-assert: every desired ID is sent again)
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
}

// "−" is U+2212 in the log line; "-" is accepted too in case a terminal or CI log rewrote it.
const LINE = /^(\S+) (COOKIE|MAID|EXTERNAL_USER_ID): \+([\d,]+) [−-]([\d,]+) IDs \(([\d,]+) unchanged\)( \(re-assert\b[^)]*\))?\s*$/;

const count = (digits: string): number => Number(digits.replace(/,/g, ""));

/** The membership change in a diagnostic message, or undefined when it is some other message. */
export function parseMembershipLine(message: string): MembershipLine | undefined {
  const m = LINE.exec(message.trim());
  if (m === null) return undefined;
  const [, label, idType, adds, removes, unchanged, reassert] = m as unknown as [string, string, string, string, string, string, string | undefined];
  return { label, idType, adds: count(adds), removes: count(removes), unchanged: count(unchanged), reassert: reassert !== undefined };
}
