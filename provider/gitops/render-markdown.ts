/**
 * Renders a {@link PlanSummary} as one Markdown PR comment that always fits: GitHub rejects
 * comments over 65,536 characters (pulumi/actions#482), so the output is kept under `maxChars`
 * however many audiences change. Errors come first, then one table row per changed audience,
 * then warnings; each part has a share of the budget and ends with "… and N more" when cut.
 */
import type { AudienceSummary, MembershipChange, PlanSummary } from "./plan-summary";
import { ID_TYPE_ORDER } from "./plan-summary";
import { fmt } from "../util/format";

/** The hidden first line CI searches for to update its previous comment instead of adding one. */
export const DEFAULT_MARKER = "<!-- dsp-audiences:plan-summary -->";

/** Options of {@link renderPlanMarkdown}. */
export interface RenderMarkdownOptions {
  /**
   * Upper bound on the output, in UTF-8 bytes (never fewer than its characters, so this bounds
   * both). GitHub's limit for a comment is 65,536 characters.
   * @default 60000
   */
  readonly maxChars?: number;
  /** First line; an HTML comment is invisible in the rendered comment. @default DEFAULT_MARKER */
  readonly marker?: string;
  /** Heading text. @default "dsp-audiences plan" (plus the stack name when known) */
  readonly title?: string;
  /** Longest single error or warning line, in characters; longer ones end in "…". @default 600 */
  readonly maxMessageChars?: number;
}

const size = (s: string): number => Buffer.byteLength(s, "utf8");

/**
 * Text from the preview made safe inside a Markdown line or table cell: no line breaks, no table
 * pipes, no HTML (an error quoting `<!--` must not hide the rest of the comment), no @mentions.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/@/g, "&#64;")
    .trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A code span that survives any content: backticks inside become quotes. */
export const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function membersCell(m: MembershipChange | undefined): string {
  if (m === undefined) return "";
  if (m.unplanned) return "**not planned**";
  const resent = (m.resentAdds ?? 0) + (m.resentRemoves ?? 0) > 0 ? ` (re-sent after an interrupted up: +${fmt(m.resentAdds ?? 0)} −${fmt(m.resentRemoves ?? 0)})` : "";
  const counts = `+${fmt(m.adds)} −${fmt(m.removes)}${resent}`;
  return m.reassert ? `${counts} (re-assert)` : counts;
}

function changeCell(a: AudienceSummary): string {
  if (a.errors.length > 0) return "**error**";
  switch (a.change) {
    case "replace":
      return "**replace**";
    case "delete":
      return "**delete**";
    case "same":
      return a.metadata.length > 0 ? "update" : "members";
    default:
      return a.change;
  }
}

function metadataCell(a: AudienceSummary): string {
  const fields = a.metadata.map((f) => f.field);
  const shown = fields.slice(0, 6).map((f) => code(escapeMarkdown(clip(f, 40))));
  return shown.join(", ") + (fields.length > shown.length ? ` +${fields.length - shown.length} more` : "");
}

function statusLine(s: PlanSummary): string {
  const parts: string[] = [];
  const plural = (n: number, word: string): string => `${fmt(n)} ${word}${n === 1 ? "" : "s"}`;
  if (s.failed) parts.push(`**Preview failed** (${plural(s.totals.errors, "error")}): nothing can be applied until fixed`);
  const changed = s.audiences.filter((a) => a.change !== "same" || a.members.length > 0 || a.metadata.length > 0);
  if (changed.length === 0 && !s.failed) {
    parts.push(s.hasChanges ? "**No audience changes** (other resources change)" : "**No changes**");
  } else if (changed.length > 0) {
    const byKind = new Map<string, number>();
    for (const a of changed) {
      const k = a.change === "same" ? "update" : a.change;
      byKind.set(k, (byKind.get(k) ?? 0) + 1);
    }
    const kinds = ["create", "update", "replace", "delete"].filter((k) => byKind.has(k)).map((k) => `${fmt(byKind.get(k) ?? 0)} to ${k}`);
    parts.push(`**${plural(changed.length, "audience")} change** (${kinds.join(", ")})`);
  }
  if (s.totals.adds > 0 || s.totals.removes > 0) parts.push(`IDs **+${fmt(s.totals.adds)} −${fmt(s.totals.removes)}**`);
  if (s.totals.reasserts > 0) parts.push(`${plural(s.totals.reasserts, "membership")} re-asserted`);
  if (s.totals.unchangedAudiences !== undefined && s.totals.unchangedAudiences > 0) parts.push(`${fmt(s.totals.unchangedAudiences)} unchanged`);
  if (s.totals.warnings > 0) parts.push(plural(s.totals.warnings, "warning"));
  return parts.join(" · ");
}

/** Adds lines while they fit in `budget` bytes; the rest become one "… and N more" line. */
function fitLines(lines: readonly string[], budget: number, more: (n: number) => string): string[] {
  const out: string[] = [];
  let used = 0;
  // The closing line for all lines is at least as long as for any tail of them: reserve that once.
  const closing = size(more(lines.length)) + 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const reserve = i < lines.length - 1 ? closing : 0;
    if (used + size(line) + 1 + reserve > budget) {
      out.push(more(lines.length - i));
      return out;
    }
    out.push(line);
    used += size(line) + 1;
  }
  return out;
}

/**
 * The summary as Markdown, at most `maxChars` bytes: the marker, a heading, one status line,
 * errors (with the recovery hint once), a table of changed audiences (metadata fields, IDs added
 * and removed per ID type) and warnings.
 */
export function renderPlanMarkdown(summary: PlanSummary, options: RenderMarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const maxMessage = options.maxMessageChars ?? 600;
  const marker = options.marker ?? DEFAULT_MARKER;
  const title = options.title ?? `dsp-audiences plan${summary.stack === undefined ? "" : ` · ${code(summary.stack)}`}`;
  const head = [marker, `### ${title}`, "", statusLine(summary), ""];

  const message = (text: string): string => escapeMarkdown(clip(text, maxMessage));
  const errorLines = [
    ...summary.errors.map((e) => `- ${message(e)}`),
    ...summary.audiences.flatMap((a) => a.errors.map((e) => `- ${code(a.key)}: ${message(e.startsWith(`${a.key} `) ? e.slice(a.key.length + 1) : e)}`)),
  ];
  const warningLines = [
    ...summary.warnings.map((w) => `- ${message(w)}`),
    ...summary.audiences.flatMap((a) => a.warnings.map((w) => `- ${code(a.key)}: ${message(w.startsWith(`${a.key} `) ? w.slice(a.key.length + 1) : w)}`)),
  ];
  const recovery = summary.recoveryHint === undefined ? [] : ["", `> **Recovery**: ${escapeMarkdown(summary.recoveryHint).replace(/&#64;/g, "@")}`];

  const rows = summary.audiences.filter((a) => a.change !== "same" || a.members.length > 0 || a.metadata.length > 0 || a.errors.length > 0);
  const types = ID_TYPE_ORDER.filter((t) => rows.some((a) => a.members.some((m) => m.idType === t)));
  const tableHead = [`| Audience | Change | Metadata |${types.map((t) => ` ${t} |`).join("")}`, `|:--|:--|:--|${types.map(() => "--:|").join("")}`];
  const rowLines = rows.map(
    (a) =>
      `| ${code(escapeMarkdown(clip(a.key, 80)))} | ${changeCell(a)} | ${metadataCell(a)} |` +
      types.map((t) => ` ${membersCell(a.members.find((m) => m.idType === t))} |`).join(""),
  );
  const moreRows = (n: number): string => {
    const rest = rows.slice(rows.length - n);
    const adds = rest.reduce((sum, a) => sum + a.members.reduce((s, m) => s + m.adds, 0), 0);
    const removes = rest.reduce((sum, a) => sum + a.members.reduce((s, m) => s + m.removes, 0), 0);
    return `\n_… and ${fmt(n)} more audience${n === 1 ? "" : "s"} (IDs +${fmt(adds)} −${fmt(removes)}); the JSON summary lists every one._`;
  };

  // Budget: errors matter most, then the table; warnings get what is left, at least a share.
  const fixed = size(head.join("\n")) + size(recovery.join("\n")) + 64;
  let left = Math.max(0, maxChars - fixed);
  const errorsPart = errorLines.length === 0 ? [] : ["#### Errors", ...fitLines(errorLines, Math.floor(left * 0.3), (n) => `- _… and ${fmt(n)} more errors_`), ...recovery, ""];
  left -= size(errorsPart.join("\n")) + 1;
  const warningsBudget = warningLines.length === 0 ? 0 : Math.min(Math.floor(left * 0.25), size(warningLines.join("\n")) + 64);
  const tableBudget = left - warningsBudget - size(tableHead.join("\n")) - 2;
  const tablePart = rowLines.length === 0 ? [] : [...tableHead, ...fitLines(rowLines, tableBudget, moreRows), ""];
  left -= size(tablePart.join("\n")) + 1;
  const warningsPart = warningLines.length === 0 ? [] : ["#### Warnings", ...fitLines(warningLines, Math.max(0, left - 24), (n) => `- _… and ${fmt(n)} more warnings_`)];

  const text = [...head, ...errorsPart, ...tablePart, ...warningsPart].join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
  if (size(text) <= maxChars) return text;
  // Only a very small maxChars gets here: cut on a character boundary and say so.
  const note = "\n…(truncated)\n";
  let cut = text.slice(0, Math.max(0, maxChars - size(note)));
  while (size(cut) > maxChars - size(note)) cut = cut.slice(0, -1);
  return cut + note;
}

/**
 * One line naming what changes, for a CI log or annotation: `alpha (description), beta (COOKIE +1 −0)`,
 * at most `max` audiences, then "and N more".
 */
export function describeChangesInOneLine(summary: PlanSummary, max = 10): string {
  const items = summary.audiences
    .filter((a) => a.change !== "same" || a.members.length > 0 || a.metadata.length > 0 || a.errors.length > 0)
    .map((a) => {
      const what = [
        ...(a.change === "create" || a.change === "replace" || a.change === "delete" ? [a.change] : []),
        ...a.metadata.map((f) => f.field),
        ...a.members.map((m) => (m.unplanned ? `${m.idType} not planned` : `${m.idType} +${fmt(m.adds)} −${fmt(m.removes)}${m.reassert ? " re-assert" : ""}`)),
        ...(a.errors.length > 0 ? ["error"] : []),
      ];
      return `${a.key} (${what.join(", ")})`;
    });
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${fmt(items.length - max)} more` : shown || "no audience changes";
}
