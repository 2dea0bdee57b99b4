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

function makeShim(moduleRef: string, name: string): ProviderImpl {
  // Everything below is serialized; keep it free of outer references other than these strings.
  const impl = (): ProviderImpl => {
    // Resolution as from a file in the program's folder: its node_modules, or the package itself
    // when the program is this package's own (Node's self-reference through `exports`).
    const fromProgram = require("module").createRequire(require("path").join(process.cwd(), "[program]"));
    return fromProgram(moduleRef).loadProvider(name);
  };
  return {
    // The engine hands the stack's configuration (secrets decrypted) to the provider process
    // here, at call time; the implementation keeps it in memory only.
    configure: (req) => {
      const p = impl();
      return p.configure ? p.configure(req) : Promise.resolve();
    },
    check: (olds, news) => {
      const p = impl();
      return p.check ? p.check(olds, news) : Promise.resolve({ inputs: news });
    },
    diff: (id, olds, news) => {
      const p = impl();
      return p.diff ? p.diff(id, olds, news) : Promise.resolve({});
    },
    create: (inputs) => impl().create(inputs),
    read: (id, props) => {
      const p = impl();
      return p.read ? p.read(id, props) : Promise.resolve({ id, props });
    },
    update: (id, olds, news) => {
      const p = impl();
      return p.update ? p.update(id, olds, news) : Promise.resolve({ outs: news });
    },
    delete: (id, props) => {
      const p = impl();
      return p.delete ? p.delete(id, props) : Promise.resolve();
    },
  };
}
