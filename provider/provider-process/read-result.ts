/**
 * The SDK types a read's `inputs` as the resource's outputs (`ReadResult<Outputs>.inputs`), but
 * they are inputs: what the next diff compares the program's inputs against. This says so in one
 * place instead of a cast in every provider that returns them.
 */
import type * as pulumi from "@pulumi/pulumi";

/** What a read observed: the resource's state, and the inputs that would produce it. */
export function readResult<I extends object, O extends I>(id: string, props: O, inputs: I): pulumi.dynamic.ReadResult<O> {
  // The engine takes `inputs` as a property bag; its type in the SDK is the outputs' by mistake.
  return { id, props, inputs: inputs as O };
}
