/**
 * The parts of `pulumi stack export` (and `pulumi config --json`) that the history command reads:
 * the stack's audiences and memberships (spec key, audience id, ID type), and the stack's plain
 * config values. Checked against the real CLI (v3.274.1): the export is `{ version, deployment:
 * { resources: [{ urn, type, id, inputs, outputs }] } }` with secrets left encrypted; the config is
 * `{ "<ns>:<key>": { value?, secret } }`, a secret without its value. Pure.
 */
import { isIdType } from "../api-vocabulary";
import type { ConfigLookup } from "../config/dsp-settings";
import { urnName } from "./preview-json";

/** One audience of the stack. */
export interface StackAudience {
  /** The spec key (the resource name). */
  readonly key: string;
  readonly audienceId: string;
}

/** One membership of the stack. */
export interface StackMembership {
  /** The spec key (its `label`). */
  readonly key: string;
  readonly idType: string;
  readonly audienceId: string;
}

export interface StackResources {
  readonly audiences: readonly StackAudience[];
  readonly memberships: readonly StackMembership[];
}

/** Thrown when text is not what the Pulumi CLI prints. */
export class StackExportError extends Error {
  override name = "StackExportError";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new StackExportError(`not the JSON output of \`${what}\`: ${(error as Error).message}`);
  }
}

/**
 * The audiences and memberships in the output of `pulumi stack export`.
 * @throws StackExportError when the text is not a stack export
 */
export function parseStackExport(raw: string): StackResources {
  const parsed = parseJson(raw, "pulumi stack export");
  if (!isObject(parsed) || !isObject(parsed.deployment)) throw new StackExportError("not the JSON output of `pulumi stack export`: no deployment");
  const resources = Array.isArray(parsed.deployment.resources) ? parsed.deployment.resources : [];
  const audiences: StackAudience[] = [];
  const memberships: StackMembership[] = [];
  for (const r of resources) {
    if (!isObject(r) || typeof r.type !== "string" || typeof r.urn !== "string") continue;
    const outputs = isObject(r.outputs) ? r.outputs : {};
    if (r.type.endsWith(":DataProviderAudience")) {
      const audienceId = text(outputs.audienceId) ?? text(r.id);
      if (audienceId !== undefined) audiences.push({ key: urnName(r.urn), audienceId });
    } else if (r.type.endsWith(":AudienceMembership")) {
      const audienceId = text(outputs.audienceId);
      const idType = outputs.idType;
      if (audienceId !== undefined && isIdType(idType)) memberships.push({ key: text(outputs.label) ?? urnName(r.urn), idType, audienceId });
    }
  }
  return { audiences, memberships };
}

/**
 * The plain values of `pulumi config --json` as a lookup by full key; secrets are not in it (the
 * history command needs none).
 * @throws StackExportError when the text is not that output
 */
export function parseStackConfig(raw: string): ConfigLookup {
  const parsed = parseJson(raw, "pulumi config --json");
  if (!isObject(parsed)) throw new StackExportError("not the JSON output of `pulumi config --json`: expected an object");
  const values = new Map<string, string>();
  for (const [key, entry] of Object.entries(parsed)) {
    if (isObject(entry) && entry.secret !== true && typeof entry.value === "string") values.set(key, entry.value);
  }
  return (key) => values.get(key);
}
