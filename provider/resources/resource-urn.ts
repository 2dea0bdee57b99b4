/**
 * A declaration's own URN, passed to its provider as the `__urn` input so that the provider's
 * engine-log lines (the `+N −M` plan line, progress) attach to the resource they describe rather
 * than to `pulumi:pulumi:Stack`: the dynamic provider API hands a provider no URN of its own.
 * Diffs never compare `__urn`, so a stack written before it existed sees no change.
 */
import * as pulumi from "@pulumi/pulumi";
import { URN_INPUT } from "../util/urn-input";

export { URN_INPUT };

/** The type token `pulumi.dynamic.Resource` registers for `module`/`type` (node_modules/@pulumi/pulumi/dynamic). */
export function dynamicResourceType(module: string, type: string): string {
  return `pulumi-nodejs:dynamic/${module}:${type}`;
}

/** The URN the engine gives the dynamic resource `name` of `module`/`type` under `opts.parent`. */
export function ownUrn(name: string, module: string, type: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Input<string> {
  const resourceType = dynamicResourceType(module, type);
  // Without a parent (the stack's children, every resource of a spec) the URN is known now, as
  // `createUrn` would build it: a plain string spares the SDK an output and its apply chain per resource.
  if (opts?.parent === undefined) return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${resourceType}::${name}`;
  return pulumi.createUrn(name, resourceType, opts.parent);
}
