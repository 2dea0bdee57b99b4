import type * as pulumi from "@pulumi/pulumi";

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
 * A dynamic provider whose serialized form is only a few lines: each method loads the
 * implementation at call time, resolving `moduleRef` from the provider process's working
 * directory (the Pulumi program's folder) as that program's own `require` would. The closure
 * captures two strings and nothing else, so no client, credential or config value can end up in
 * the `__provider` field of the state, and upgrading the package changes what `refresh` and
 * `destroy` run too.
 *
 * @param name the implementation's name in the module's {@link ProviderModule.loadProvider}
 * @param moduleRef a package specifier, or a path relative to the program's folder
 * @default moduleRef {@link PROVIDERS_MODULE}
 */
export function dynamicShim(name: string, moduleRef: string = PROVIDERS_MODULE): ProviderImpl {
  // One object per implementation: the SDK serializes a provider once per object, so sharing it
  // saves ~55 ms of CPU per resource (measured by `npm run bench`, scenario 5).
  const key = `${moduleRef}\0${name}`;
  let shim = shims.get(key);
  if (!shim) {
    shim = makeShim(moduleRef, name);
    shims.set(key, shim);
  }
  return shim;
}

const shims = new Map<string, ProviderImpl>();

/**
 * The serialized source of these functions is stored twice in every resource's state (inputs and
 * outputs) and sent with every call the engine makes, so they are one expression each, with no
 * comments inside (2.5 KB a copy instead of 3.3 KB). `call` loads the implementation as from a file in the program's folder (its
 * node_modules, or the package itself when the program is this package's own, through Node's
 * self-reference by `exports`) and runs one of its methods, or answers as the SDK does for a
 * method it leaves out. `configure` hands the stack's
 * configuration (secrets decrypted) to the implementation, which keeps it in memory only.
 */
function makeShim(moduleRef: string, name: string): ProviderImpl {
  const call = (method: keyof ProviderImpl, args: unknown[], missing: unknown): Promise<never> => {
    const p = require("module").createRequire(require("path").join(process.cwd(), "[program]"))(moduleRef).loadProvider(name);
    return p[method]?.(...args) ?? Promise.resolve(missing);
  };
  return {
    configure: (req) => call("configure", [req], undefined),
    check: (olds, news) => call("check", [olds, news], { inputs: news }),
    diff: (id, olds, news) => call("diff", [id, olds, news], {}),
    create: (inputs) => call("create", [inputs], undefined),
    read: (id, props) => call("read", [id, props], { id, props }),
    update: (id, olds, news) => call("update", [id, olds, news], { outs: news }),
    delete: (id, props) => call("delete", [id, props], undefined),
  };
}
