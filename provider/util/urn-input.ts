/**
 * A resource's own URN as one of its inputs. The dynamic provider API gives a provider no URN,
 * and an engine-log line without one attaches to `pulumi:pulumi:Stack`; so each declaration
 * passes its URN (provider/resources/resource-urn.ts) and the providers log with it. Diffs and
 * plan summaries never compare it, so a stack written before it existed sees no change.
 */

/** The input that carries the URN. */
export const URN_INPUT = "__urn";

/** The URN in a resource's inputs or state, if any (state written before `__urn` has none). */
export function urnOf(inputs: object): string | undefined {
  const urn = (inputs as Record<string, unknown>)[URN_INPUT];
  return typeof urn === "string" && urn !== "" ? urn : undefined;
}
