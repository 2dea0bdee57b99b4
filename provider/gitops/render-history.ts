/**
 * Renders a {@link HistoryReport} as Markdown: one table of syncs per membership (newest first),
 * or, for an ID, one row per sync that added or removed it. The ID is never printed; only "the ID
 * given" and its type.
 */
import type { HistoryReport, IdChange, IdReport, MembershipReport, SyncReport } from "./history-report";
import { code, escapeMarkdown } from "./render-markdown";
import { fmt } from "../util/format";

/** Request ids shown per table cell; the JSON has them all. */
const IDS_PER_CELL = 3;

/** `2025-01-31 12:00:05` (UTC), or the text as it is when it is not an ISO time. */
export function utcTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m === null ? escapeMarkdown(iso) : `${m[1]} ${m[2]}`;
}

function requestIdsCell(ids: readonly string[], complete: boolean, requests: number): string {
  if (ids.length === 0) return "";
  const shown = ids.slice(0, IDS_PER_CELL).map((id) => code(escapeMarkdown(id)));
  const rest = (complete ? ids.length : requests) - shown.length;
  return shown.join(", ") + (rest > 0 ? ` +${fmt(rest)} more` : "");
}

function notesOf(s: Pick<SyncReport, "failed" | "inDoubt">): string {
  return [...(s.failed ? ["stopped part-way"] : []), ...(s.inDoubt > 0 ? [`${fmt(s.inDoubt)} in doubt`] : [])].join("; ");
}

function membershipTitle(m: Pick<MembershipReport, "key" | "idType" | "audienceId">): string {
  return `${code(escapeMarkdown(m.key))} ${m.idType} · audience ${code(m.audienceId)}`;
}

function membershipSection(m: MembershipReport): string[] {
  const status = [
    ...(m.retiredAt === undefined ? [] : [`deleted ${utcTime(m.retiredAt)} (its record is kept for the history retention)`]),
    ...(m.unanswered ? ["a sync has started whose answers are not recorded yet (an up running or interrupted): the next up sends what is in doubt again"] : []),
    ...(m.syncs.length < m.syncCount ? [`the newest ${fmt(m.syncs.length)} of ${fmt(m.syncCount)} syncs`] : []),
  ];
  const lines = [`#### ${membershipTitle(m)}`, ""];
  if (status.length > 0) lines.push(`_${status.join("; ")}_`, "");
  if (m.syncs.length === 0) return [...lines, "No sync in the history retention.", ""];
  lines.push("| Time (UTC) | Accepted | Re-sent | Requests | Request ids | Notes |", "|:--|--:|--:|--:|:--|:--|");
  for (const s of m.syncs) {
    const resent = s.resent === undefined ? "" : `+${fmt(s.resent.adds)} −${fmt(s.resent.removes)}`;
    lines.push(`| ${utcTime(s.at)} | +${fmt(s.adds)} −${fmt(s.removes)} | ${resent} | ${fmt(s.requests)} | ${requestIdsCell(s.requestIds, s.requestIdsComplete, s.requests)} | ${notesOf(s)} |`);
  }
  return [...lines, ""];
}

const CHANGE_WORDS: Record<IdChange["change"], string> = {
  added: "added",
  removed: "removed",
  present: "in the audience (added in this sync or before it: the oldest kept)",
  unknown: "unknown (the applied set of this sync is missing from the snapshot store)",
};

function idSection(id: IdReport): string[] {
  const lines = ["### The ID given (not shown)", ""];
  if (id.notValidFor.length > 0) lines.push(`_Not a valid ${id.notValidFor.join(" or ")}: memberships of ${id.notValidFor.length === 1 ? "that type were" : "those types were"} not searched._`, "");
  if (id.memberships.length === 0) return [...lines, "No membership of this stack with a sync record takes IDs of its type.", ""];
  lines.push("| Membership | Change | Time (UTC) | Request ids of that sync |", "|:--|:--|:--|:--|");
  const never: string[] = [];
  for (const t of id.memberships) {
    const name = `${code(escapeMarkdown(t.key))} ${t.idType}`;
    if (t.changes.length === 0) never.push(name);
    for (const c of t.changes) {
      const note = c.failed ? " (the sync stopped part-way; this is what its answers proved)" : "";
      lines.push(`| ${name} | ${CHANGE_WORDS[c.change]}${note} | ${utcTime(c.at)} | ${requestIdsCell(c.requestIds, c.requestIdsComplete, c.requests)} |`);
    }
  }
  lines.push("");
  const now = id.memberships.filter((t) => t.memberNow === true).map((t) => `${code(escapeMarkdown(t.key))} ${t.idType}`);
  lines.push(now.length === 0 ? "A member of none of them after their latest sync." : `A member after the latest sync of: ${now.join(", ")}.`);
  if (never.length > 0) lines.push("", `Never a member within the history retention: ${never.join(", ")}.`);
  return [...lines, ""];
}

/** The report as Markdown. */
export function renderHistoryMarkdown(report: HistoryReport, options: { title?: string } = {}): string {
  const title = options.title ?? `dsp-audiences history${report.stack === undefined ? "" : ` · ${code(report.stack)}`}`;
  const count = report.memberships.length;
  const head = [`### ${title}`, "", `Sync records in ${code(report.store)}: ${fmt(count)} membership${count === 1 ? "" : "s"}.`, ""];
  const body = report.id !== undefined ? idSection(report.id) : report.memberships.flatMap(membershipSection);
  return [...head, ...body].join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
