/**
 * A plan summary: what `pulumi preview` says will happen, per audience. Pure: it takes the parsed
 * preview JSON and returns plain data, which `render-markdown.ts` turns into a PR comment and the
 * command writes as JSON for machines.
 */
import { SNAPSHOT_RECOVERY_HINT } from "../snapshots/snapshot-errors";
import { parseMembershipLine, type MembershipLine } from "../membership/membership-line";
import { urnName, urnType, type PreviewJson, type PreviewStep } from "./preview-json";
import { URN_INPUT } from "../util/urn-input";
import { ID_TYPE_ALTERNATION, ID_TYPES } from "../api-vocabulary";

const NAMED_MEMBERSHIP = new RegExp(`^(\\S+) (${ID_TYPE_ALTERNATION}): `);

/** Identifies the JSON format; bump on incompatible changes. */
export const PLAN_SUMMARY_FORMAT = "dsp-audiences/plan-summary@1";

/** The ID types in the order the table shows them. */
export const ID_TYPE_ORDER: readonly string[] = ID_TYPES;

export type ChangeKind = "create" | "update" | "replace" | "delete" | "same";

/** One changed input of an audience (or of a membership, as `<ID type>.<field>`). */
export interface FieldChange {
  readonly field: string;
  /** Absent when the resource is new. */
  readonly before?: unknown;
  /** Absent when the resource goes away. */
  readonly after?: unknown;
}

/** One membership (audience × ID type) that changes. */
export interface MembershipChange {
  readonly idType: string;
  readonly change: ChangeKind;
  readonly adds: number;
  readonly removes: number;
  /** From the provider's plan line; undefined when the counts come from state (deletes, replaces). */
  readonly unchanged?: number;
  /** Every desired ID is sent again (dsp:reassert or the reassertAfterDays schedule). */
  readonly reassert: boolean;
  /** The provider could not plan it (see the audience's errors): the counts are unknown, not zero. */
  readonly unplanned?: true;
  /**
   * Of `adds` and `removes`, the IDs sent again because their last send is in doubt (an
   * interrupted up); absent when none.
   */
  readonly resentAdds?: number;
  readonly resentRemoves?: number;
}

export interface AudienceSummary {
  /** The spec's audience key. */
  readonly key: string;
  /** What happens to the audience itself; `same` when only its members change. */
  readonly change: ChangeKind;
  /** Inputs whose change forces a replacement (`name`, `advertiserId`, `externalAudienceId`). */
  readonly replaceReasons: readonly string[];
  readonly metadata: readonly FieldChange[];
  /** Changed memberships, in {@link ID_TYPE_ORDER}. */
  readonly members: readonly MembershipChange[];
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

export interface PlanSummary {
  readonly format: typeof PLAN_SUMMARY_FORMAT;
  readonly stack?: string;
  /** The preview reported an error: nothing it planned can be trusted. */
  readonly failed: boolean;
  readonly hasChanges: boolean;
  /** Pulumi's own resource counts per operation. */
  readonly resourceChanges: Readonly<Record<string, number>>;
  readonly totals: {
    /** Audiences listed below (changed, or with a warning or error). */
    readonly audiences: number;
    /**
     * Audiences with a `same` step. `pulumi preview --json` lists unchanged resources only with
     * `--show-sames`, so this is absent when the preview listed none.
     */
    readonly unchangedAudiences?: number;
    readonly adds: number;
    readonly removes: number;
    /** Memberships that re-send their whole set. */
    readonly reasserts: number;
    readonly errors: number;
    readonly warnings: number;
  };
  /** Errors first, then replacements and deletions, then the rest; by key within each. */
  readonly audiences: readonly AudienceSummary[];
  /** Warnings and errors that name no audience. */
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
  /** Set when an error is a missing or corrupt snapshot: what to do about it. */
  readonly recoveryHint?: string;
}

/** Options of {@link summarisePreview}. */
export interface SummariseOptions {
  /** The stack name, for the title. @default none */
  readonly stack?: string;
}

const AUDIENCE_TYPE = "DataProviderAudience";
const MEMBERSHIP_TYPE = "AudienceMembership";
/** Membership inputs that are how members are tracked, not user-visible settings (the history retention is the spec's, not the audience's). */
const MEMBERSHIP_INTERNAL = new Set([URN_INPUT, "__provider", "audienceId", "idType", "desiredDigest", "desiredCount", "reassertToken", "appliedDigest", "appliedCount", "lastSync", "historyRetentionDays"]);
/** What to do about a missing or corrupt snapshot; the provider's hint says why, this says how. */
export const RECOVERY_COMMAND =
  "To re-assert: `pulumi config set dsp:reassert \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"`, preview, then `pulumi up`.";

const SEVERITY_RANK = (a: AudienceSummary): number =>
  a.errors.length > 0 ? 0 : a.change === "replace" || a.change === "delete" ? 1 : a.warnings.length > 0 ? 2 : 3;

/** Pulumi step ops folded into the five kinds a reader cares about. */
/** The re-sent counts of a plan line, as their own fields when there are any. */
function resentOf(line: MembershipLine): Pick<MembershipChange, "resentAdds" | "resentRemoves"> {
  return line.resentAdds + line.resentRemoves > 0 ? { resentAdds: line.resentAdds, resentRemoves: line.resentRemoves } : {};
}

function kindOf(op: string): ChangeKind {
  switch (op) {
    case "create":
    case "update":
    case "replace":
    case "delete":
      return op;
    case "create-replacement":
    case "delete-replaced":
    case "discard-replaced":
      return "replace";
    case "import":
    case "import-replacement":
      return "create";
    case "discard":
      return "delete";
    default:
      return "same"; // same, read, refresh, remove-pending-replace
  }
}

/** Stable JSON for comparison: object keys sorted. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "object" && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function fieldChanges(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined, ignore: ReadonlySet<string>): FieldChange[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: FieldChange[] = [];
  for (const field of [...fields].sort()) {
    if (ignore.has(field)) continue;
    const b = before?.[field];
    const a = after?.[field];
    // Plain JSON first: equal values almost always serialise alike; sorting keys is the slow path.
    if (JSON.stringify(b) === JSON.stringify(a) || canonical(b) === canonical(a)) continue;
    out.push({ field, ...(b === undefined ? {} : { before: b }), ...(a === undefined ? {} : { after: a }) });
  }
  return out;
}

const AUDIENCE_IGNORE = new Set([URN_INPUT, "__provider", "audienceId", "receivedRecords", "matchedRecords", "matchRate", "historyRetentionDays"]);

/** Membership names are `<key>-<id type>`; used when an error names only a URN. */
const MEMBERSHIP_SUFFIX = /-(cookie|maid|external-user-id)$/;

/** The audience a URN belongs to, when it is one of ours. */
function audienceKeyOfUrn(urn: string | undefined): string | undefined {
  if (urn === undefined) return undefined;
  const type = urnType(urn);
  if (type.endsWith(AUDIENCE_TYPE)) return urnName(urn);
  if (type.endsWith(MEMBERSHIP_TYPE)) return urnName(urn).replace(MEMBERSHIP_SUFFIX, "");
  return undefined;
}

interface MutableAudience {
  key: string;
  change: ChangeKind;
  replaceReasons: string[];
  metadata: FieldChange[];
  members: Map<string, MembershipChange>;
  warnings: string[];
  errors: string[];
}

/** Removes the provider's recovery hint (printed once for the whole summary) and tidies a message. */
function tidy(message: string): { text: string; snapshotProblem: boolean } {
  const snapshotProblem = message.includes(SNAPSHOT_RECOVERY_HINT);
  const text = message
    .split(SNAPSHOT_RECOVERY_HINT)
    .join(" ")
    .replace(/^\s*(error|warning):\s*/i, "")
    .replace(/\s+/g, " ")
    .trim();
  return { text, snapshotProblem };
}

const inputString = (step: PreviewStep, field: string): string | undefined => {
  const v = step.newState?.inputs?.[field] ?? step.oldState?.inputs?.[field];
  return typeof v === "string" ? v : undefined;
};
const stateNumber = (state: PreviewStep["oldState"], field: string): number | undefined => {
  const v = state?.outputs?.[field] ?? state?.inputs?.[field];
  return typeof v === "number" ? v : undefined;
};

/**
 * Summarises a preview per audience: the audience's own change and which metadata fields change,
 * IDs added and removed per ID type (from the provider's exact plan lines), and warnings for
 * replacements, audiences left in DSP and preview errors such as a missing snapshot.
 */
export function summarisePreview(preview: PreviewJson, options: SummariseOptions = {}): PlanSummary {
  const audiences = new Map<string, MutableAudience>();
  const audienceOf = (key: string): MutableAudience => {
    let a = audiences.get(key);
    if (a === undefined) {
      a = { key, change: "same", replaceReasons: [], metadata: [], members: new Map(), warnings: [], errors: [] };
      audiences.set(key, a);
    }
    return a;
  };
  const lines = new Map<string, MembershipLine>();
  for (const d of preview.diagnostics) {
    if (d.severity !== "info") continue;
    const line = parseMembershipLine(d.message);
    if (line) lines.set(`${line.label} ${line.idType}`, line);
  }
  const counted = new Set<string>();
  const untouched = new Set<string>();

  for (const step of preview.steps) {
    const type = urnType(step.urn);
    const kind = kindOf(step.op);
    if (type.endsWith(AUDIENCE_TYPE)) {
      if (kind === "same") {
        untouched.add(urnName(step.urn));
        continue;
      }
      const a = audienceOf(urnName(step.urn));
      a.change = kind;
      const id = step.oldState?.id;
      if (kind === "update" || kind === "replace") {
        a.metadata.push(...fieldChanges(step.oldState?.inputs, step.newState?.inputs, AUDIENCE_IGNORE));
      }
      if (kind === "replace") {
        a.replaceReasons = [...(step.replaceReasons ?? [])];
        const why = a.replaceReasons.length > 0 ? ` (${a.replaceReasons.join(", ")} changed)` : "";
        a.warnings.push(
          `replaced${why}: a new audience is created and filled; the old one${id ? ` (${id})` : ""} is emptied and stays in Amazon DSP (the API has no DELETE)`,
        );
      } else if (kind === "delete") {
        a.warnings.push(`removed from the spec: its members are removed; the audience${id ? ` (${id})` : ""} stays in Amazon DSP (the API has no DELETE)`);
      }
    } else if (type.endsWith(MEMBERSHIP_TYPE)) {
      if (kind === "same") continue;
      const key = inputString(step, "label") ?? urnName(step.urn).replace(MEMBERSHIP_SUFFIX, "");
      const idType = inputString(step, "idType") ?? "?";
      const a = audienceOf(key);
      const line = lines.get(`${key} ${idType}`);
      if (line) counted.add(`${key} ${idType}`);
      const applied = stateNumber(step.oldState, "appliedCount") ?? 0;
      const desired = stateNumber(step.newState, "desiredCount") ?? 0;
      let change: MembershipChange;
      if (kind === "delete") change = { idType, change: kind, adds: 0, removes: applied, reassert: false };
      else if (kind === "replace") change = { idType, change: kind, adds: line?.adds ?? desired, removes: applied, reassert: false };
      else if (line) {
        change = { idType, change: kind, adds: line.adds, removes: line.removes, unchanged: line.unchanged, reassert: line.reassert, ...resentOf(line) };
      }
      else change = { idType, change: kind, adds: kind === "create" ? desired : 0, removes: 0, reassert: false };
      a.members.set(idType, change);
      if (kind === "update") {
        for (const f of fieldChanges(step.oldState?.inputs, step.newState?.inputs, MEMBERSHIP_INTERNAL)) a.metadata.push({ ...f, field: `${idType}.${f.field}` });
      }
    }
  }
  // Plan lines with no step (e.g. a preview whose steps were cut short by an error).
  for (const [k, line] of lines) {
    if (counted.has(k)) continue;
    const a = audienceOf(line.label);
    if (!a.members.has(line.idType)) {
      a.members.set(line.idType, { idType: line.idType, change: "update", adds: line.adds, removes: line.removes, unchanged: line.unchanged, reassert: line.reassert, ...resentOf(line) });
    }
  }

  const globalWarnings: string[] = [];
  const globalErrors: string[] = [];
  let snapshotProblem = false;
  for (const d of preview.diagnostics) {
    if (d.severity !== "error" && d.severity !== "warning") continue;
    const tidied = tidy(d.message);
    if (tidied.text === "") continue;
    snapshotProblem ||= tidied.snapshotProblem;
    const named = NAMED_MEMBERSHIP.exec(tidied.text);
    const key = named?.[1] ?? audienceKeyOfUrn(d.urn);
    if (named && d.severity === "error") {
      const [, label, idType] = named as unknown as [string, string, string];
      const a = audienceOf(label);
      if (!a.members.has(idType)) a.members.set(idType, { idType, change: "update", adds: 0, removes: 0, reassert: false, unplanned: true });
    }
    const bucket = key === undefined ? (d.severity === "error" ? globalErrors : globalWarnings) : d.severity === "error" ? audienceOf(key).errors : audienceOf(key).warnings;
    if (!bucket.includes(tidied.text)) bucket.push(tidied.text);
  }
  // The engine closes a failed preview with a generic line; it adds nothing once a specific error is listed.
  const anySpecific = [...audiences.values()].some((a) => a.errors.length > 0);
  const errors = anySpecific ? globalErrors.filter((e) => !/^preview failed\b/i.test(e)) : globalErrors;

  const listed = [...audiences.values()]
    .map(
      (a): AudienceSummary => ({
        key: a.key,
        change: a.change,
        replaceReasons: a.replaceReasons,
        metadata: a.metadata,
        members: ID_TYPE_ORDER.filter((t) => a.members.has(t))
          .map((t) => a.members.get(t) as MembershipChange)
          .concat([...a.members.values()].filter((m) => !ID_TYPE_ORDER.includes(m.idType))),
        warnings: a.warnings,
        errors: a.errors,
      }),
    )
    .filter((a) => a.change !== "same" || a.members.length > 0 || a.metadata.length > 0 || a.warnings.length > 0 || a.errors.length > 0)
    .sort((x, y) => SEVERITY_RANK(x) - SEVERITY_RANK(y) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

  let adds = 0;
  let removes = 0;
  let reasserts = 0;
  let errorCount = errors.length;
  let warningCount = globalWarnings.length;
  for (const a of listed) {
    for (const m of a.members) {
      adds += m.adds;
      removes += m.removes;
      if (m.reassert) reasserts++;
    }
    errorCount += a.errors.length;
    warningCount += a.warnings.length;
  }
  const changed = listed.filter((a) => a.change !== "same" || a.members.length > 0 || a.metadata.length > 0);
  const changedKeys = new Set(changed.map((a) => a.key));
  const resourceChanges = { ...preview.changeSummary };
  const hasChanges = Object.entries(resourceChanges).some(([op, n]) => op !== "same" && n > 0) || changed.length > 0;
  return {
    format: PLAN_SUMMARY_FORMAT,
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    failed: errorCount > 0,
    hasChanges,
    resourceChanges,
    totals: {
      audiences: listed.length,
      ...(untouched.size === 0 ? {} : { unchangedAudiences: [...untouched].filter((key) => !changedKeys.has(key)).length }),
      adds,
      removes,
      reasserts,
      errors: errorCount,
      warnings: warningCount,
    },
    audiences: listed,
    warnings: globalWarnings,
    errors,
    ...(snapshotProblem ? { recoveryHint: `${SNAPSHOT_RECOVERY_HINT} ${RECOVERY_COMMAND}` } : {}),
  };
}
