/** Builds `pulumi preview --json` output of the shape the real CLI prints (see fixtures/), at any size. */
import type { PreviewDiagnostic, PreviewJson, PreviewStep } from "../../provider/gitops/preview-json";
import { describePlan } from "../../provider/membership/membership-provider";

export interface SyntheticPreviewOptions {
  audiences: number;
  /** Op of every audience and membership step. @default "update" */
  op?: "create" | "update" | "replace" | "delete" | "same";
  /** IDs added per membership (COOKIE and MAID each). @default 100 */
  adds?: number;
  /** @default 10 */
  removes?: number;
  /** appliedCount in old state. @default 1000 */
  appliedCount?: number;
  reassert?: boolean;
  /** Errors, one per audience up to this many. @default 0 */
  errors?: number;
  /** Length of each key, up to 63 (the spec's limit). @default ~12 */
  keyLength?: number;
}

const AUDIENCE = "pulumi-nodejs:dynamic/dsp-audiences:DataProviderAudience";
const MEMBERSHIP = "pulumi-nodejs:dynamic/dsp-audiences:AudienceMembership";

export function syntheticPreview(o: SyntheticPreviewOptions): PreviewJson {
  const op = o.op ?? "update";
  const steps: PreviewStep[] = [];
  const diagnostics: PreviewDiagnostic[] = [];
  for (let i = 0; i < o.audiences; i++) {
    const base = `audience-${String(i).padStart(5, "0")}`;
    const key = o.keyLength === undefined ? base : `${base}-${"x".repeat(Math.max(0, o.keyLength - base.length - 1))}`.slice(0, o.keyLength);
    const id = String(72057594038053890n + BigInt(i));
    const meta = { name: `Audience ${i} name`, description: `old ${i}`, advertiserId: "5840142710901", externalAudienceId: key, dataSourceCountry: ["US"], ttl: 2592000 };
    steps.push({
      op,
      urn: `urn:pulumi:prod::dsp-audiences::${AUDIENCE}::${key}`,
      oldState: { id, inputs: meta, outputs: { ...meta, audienceId: id } },
      newState: { inputs: { ...meta, description: op === "same" ? meta.description : `new ${i}`, ttl: op === "same" ? meta.ttl : 604800 } },
      ...(op === "replace" ? { replaceReasons: ["name"] } : {}),
    });
    for (const idType of ["COOKIE", "MAID"]) {
      const applied = o.appliedCount ?? 1000;
      const inputs = { audienceId: id, idType, label: key, desiredDigest: "d".repeat(64), desiredCount: applied };
      steps.push({
        op,
        urn: `urn:pulumi:prod::dsp-audiences::${AUDIENCE}$${MEMBERSHIP}::${key}-${idType.toLowerCase()}`,
        oldState: { id: `${id}/${idType}`, inputs, outputs: { ...inputs, appliedCount: applied, appliedDigest: "a".repeat(64) } },
        newState: { inputs },
      });
      if (op === "update" || op === "create") {
        const line = describePlan(key, idType, { addCount: o.adds ?? 100, removeCount: o.removes ?? 10, unchangedCount: 5 });
        diagnostics.push({ severity: "info", message: `${line}${o.reassert ? " (re-assert: every desired ID is sent again)" : ""}\n` });
      }
    }
    if (i < (o.errors ?? 0)) {
      diagnostics.push({
        severity: "error",
        urn: `urn:pulumi:prod::dsp-audiences::${AUDIENCE}$${MEMBERSHIP}::${key}-cookie`,
        message: `error: ${key} COOKIE: cannot plan: Applied-set snapshot ${"f".repeat(64)} not found at s3://bucket/prefix/.dsp-audiences/snapshots/ff/${"f".repeat(64)}.ids.gz.\n`,
      });
    }
  }
  return { steps, diagnostics, changeSummary: { [op]: o.audiences * 3 } };
}
