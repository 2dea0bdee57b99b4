import * as pulumi from "@pulumi/pulumi";

/** What Pulumi's outputs expose, at run time, about whether their value is known in this run. */
interface OutputInternals {
  readonly isKnown?: unknown;
  readonly promise?: unknown;
}

/**
 * The value of an input when this run knows it (a preview knows an existing audience's id, not a
 * new one's), else undefined. Outputs say so only through members that are not in the typings;
 * should they ever change, this answers undefined, which costs the caller an optimisation only.
 */
export async function knownValue<T>(input: pulumi.Input<T>): Promise<T | undefined> {
  if (!pulumi.Output.isInstance(input)) return await input;
  const output = input as unknown as OutputInternals;
  if (!(output.isKnown instanceof Promise) || typeof output.promise !== "function") return undefined;
  if (!((await output.isKnown) as boolean)) return undefined;
  return (await (output.promise as () => Promise<T>).call(output)) as T;
}
