import * as pulumi from "@pulumi/pulumi";

/** The lifecycle methods a dynamic provider may implement, as plain async functions. */
export type ProviderImpl = pulumi.dynamic.ResourceProvider;

/**
 * The module the serialized providers of this package load at call time: a package specifier
 * (`package.json` `exports`), never a file path, so state written on one machine or by one
 * version runs with the code installed where and when it is used.
 */
export const PROVIDERS_MODULE = "dsp-audiences/dynamic-providers";

/** What the module named in a shim must export. */
export interface ProviderModule {
  loadProvider(name: string): ProviderImpl;
}

/**
 * The `__provider` text of a shim resource: a CommonJS module whose `handler()` returns the
 * implementation `name`, loaded at call time from `moduleRef` as the program's own `require` would
 * resolve it from the provider process's working folder (the program's folder: its node_modules,
 * or this package itself through Node's self-reference by `exports`). This is the whole contract
 * of the official dynamic-provider host (`requireFromString(text).handler()`, then `configure` and
 * the lifecycle methods on what it returns; methods left out get the SDK's defaults). The engine
 * stores the text twice in every resource's state (inputs and outputs) and sends it with every
 * call, so it is one line (about 200 bytes, against 2.5 KB for the SDK's serialization of a
 * closure shim); it names two strings and nothing else, so no client, credential or config value
 * can reach state, and upgrading the package changes what `refresh` and `destroy` run too.
 *
 * @param name the implementation's name in the module's {@link ProviderModule.loadProvider}
 * @param moduleRef a package specifier, or a path relative to the program's folder
 * @default moduleRef {@link PROVIDERS_MODULE}
 */
export function shimSource(name: string, moduleRef: string = PROVIDERS_MODULE): string {
  return `exports.handler = () => require("module").createRequire(require("path").join(process.cwd(), "[program]"))(${JSON.stringify(moduleRef)}).loadProvider(${JSON.stringify(name)});\n`;
}

/**
 * A dynamic resource (type `pulumi-nodejs:dynamic/<module>:<type>`, run by the official dynamic
 * provider host as `pulumi.dynamic.Resource`'s are) whose `__provider` is {@link shimSource}
 * instead of the SDK's serialization of a provider object: the same registration, without
 * serializing a closure per process or storing kilobytes of it per resource.
 */
export class ShimResource extends pulumi.CustomResource {
  /**
   * @param provider the implementation's name in {@link PROVIDERS_MODULE} (or `moduleRef`)
   * @param props the inputs; must not hold `__provider`
   * @param module the type token's module, as `pulumi.dynamic.Resource` takes it
   * @param type the type token's type name @default "Resource"
   * @param moduleRef the module that exports `loadProvider` @default {@link PROVIDERS_MODULE}
   */
  constructor(
    provider: string,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
    module?: string,
    type = "Resource",
    moduleRef: string = PROVIDERS_MODULE,
  ) {
    if ("__provider" in props) throw new Error("A dynamic resource must not define the __provider key");
    super(`pulumi-nodejs:dynamic${module ? `/${module}` : ""}:${type}`, name, { ...props, __provider: shimSource(provider, moduleRef) }, opts);
  }
}
