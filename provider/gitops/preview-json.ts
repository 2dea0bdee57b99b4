/**
 * The parts of `pulumi preview --json` that a plan summary reads. Checked against the real CLI
 * (v3.274.1): the output is one JSON object `{ config, steps, diagnostics, duration, changeSummary }`,
 * also when the preview fails (then an `error` diagnostic carries the reason). Dynamic providers
 * report no `detailedDiff`, so changed fields are found by comparing `oldState.inputs` with
 * `newState.inputs`. Provider log lines such as `alpha COOKIE: +50 −101 IDs (1,399 unchanged)`
 * arrive as diagnostics with the URN of the resource they describe (provider/util/urn-input.ts);
 * lines from providers of older versions have none.
 */

/** One resource state in a step (only the fields read here). */
export interface PreviewResourceState {
  readonly urn?: string;
  readonly type?: string;
  readonly id?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** One planned step. `op` is create, update, replace, delete, same, create-replacement, delete-replaced, read, … */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: PreviewResourceState;
  readonly newState?: PreviewResourceState;
  readonly replaceReasons?: readonly string[];
  readonly diffReasons?: readonly string[];
}

/** One diagnostic. `severity` is info, warning, error, or `info#err` for a plugin's stderr. */
export interface PreviewDiagnostic {
  readonly message: string;
  readonly severity: string;
  readonly urn?: string;
}

export interface PreviewJson {
  readonly steps: readonly PreviewStep[];
  readonly diagnostics: readonly PreviewDiagnostic[];
  /** Resource counts per operation, e.g. `{ same: 3, update: 2 }`. */
  readonly changeSummary: Readonly<Record<string, number>>;
}

/** Thrown when text is not the output of `pulumi preview --json`. */
export class PreviewJsonError extends Error {
  override name = "PreviewJsonError";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function state(v: unknown): PreviewResourceState | undefined {
  if (!isObject(v)) return undefined;
  return {
    ...(typeof v.urn === "string" ? { urn: v.urn } : {}),
    ...(typeof v.type === "string" ? { type: v.type } : {}),
    ...(typeof v.id === "string" ? { id: v.id } : {}),
    ...(isObject(v.inputs) ? { inputs: v.inputs } : {}),
    ...(isObject(v.outputs) ? { outputs: v.outputs } : {}),
  };
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);

/**
 * Parses and shape-checks the output of `pulumi preview --json`. Unknown fields are ignored;
 * a missing `steps` or `diagnostics` list is read as empty (older CLIs omit empty lists).
 * @throws PreviewJsonError when the text is not a JSON object of that shape
 */
export function parsePreviewJson(text: string): PreviewJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const head = text.trim().slice(0, 200);
    throw new PreviewJsonError(`not the JSON output of \`pulumi preview --json\`: ${(error as Error).message}${head ? ` (starts with ${JSON.stringify(head)})` : " (empty)"}`);
  }
  if (!isObject(raw)) throw new PreviewJsonError("not the JSON output of `pulumi preview --json`: expected an object");
  const steps: PreviewStep[] = [];
  for (const s of Array.isArray(raw.steps) ? raw.steps : []) {
    if (!isObject(s) || typeof s.op !== "string" || typeof s.urn !== "string") continue;
    const oldState = state(s.oldState);
    const newState = state(s.newState);
    const replaceReasons = strings(s.replaceReasons);
    const diffReasons = strings(s.diffReasons);
    steps.push({
      op: s.op,
      urn: s.urn,
      ...(oldState ? { oldState } : {}),
      ...(newState ? { newState } : {}),
      ...(replaceReasons ? { replaceReasons } : {}),
      ...(diffReasons ? { diffReasons } : {}),
    });
  }
  const diagnostics: PreviewDiagnostic[] = [];
  for (const d of Array.isArray(raw.diagnostics) ? raw.diagnostics : []) {
    if (!isObject(d) || typeof d.message !== "string") continue;
    diagnostics.push({
      message: d.message,
      severity: typeof d.severity === "string" ? d.severity : "info",
      ...(typeof d.urn === "string" ? { urn: d.urn } : {}),
    });
  }
  const changeSummary: Record<string, number> = {};
  if (isObject(raw.changeSummary)) {
    for (const [op, n] of Object.entries(raw.changeSummary)) if (typeof n === "number") changeSummary[op] = n;
  }
  return { steps, diagnostics, changeSummary };
}

/** The resource name at the end of a URN (`urn:pulumi:stack::project::type::name`). */
export function urnName(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at < 0 ? urn : urn.slice(at + 2);
}

/** The resource type of a URN, without its parents (`…DataProviderAudience$…AudienceMembership` → `…AudienceMembership`). */
export function urnType(urn: string): string {
  const parts = urn.split("::");
  const chain = parts.length >= 4 ? (parts[parts.length - 2] ?? "") : "";
  return chain.slice(chain.lastIndexOf("$") + 1);
}
