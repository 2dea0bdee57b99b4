import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";

/** The lifecycle methods a dynamic provider may implement, as plain async functions. */
export type ProviderImpl = pulumi.dynamic.ResourceProvider;

const LOADER = path.join(__dirname, "loader.js");

/**
 * How the provider process will find `file`: relative to its working directory (the Pulumi
 * program's folder) when the project is used from its own checkout, or by package name when
 * installed under node_modules. Never an absolute path: state must work from any clone.
 */
export function moduleRefFrom(cwd: string, file: string): string {
  const rel = path.relative(cwd, file).split(path.sep).join("/");
  const nm = rel.lastIndexOf("node_modules/");
  if (nm >= 0) return rel.slice(nm + "node_modules/".length).replace(/\.(ts|js)$/, "");
  return (rel.startsWith(".") ? rel : `./${rel}`).replace(/\.(ts|js)$/, "");
}

/**
 * A dynamic provider whose serialized form is only a few lines: each method requires the
 * implementation at call time. The closure captures two strings and nothing else, so no client,
 * credential or config value can end up in the `__provider` field of the state, and upgrading
 * the package changes what `refresh` and `destroy` run too.
 *
 * @param implFile absolute path of the module that exports the implementation
 * @param exportName the export that holds a {@link ProviderImpl}
 */
export function dynamicShim(implFile: string, exportName: string): ProviderImpl {
  // One object per implementation: the SDK serializes a provider once per object, so sharing it
  // saves ~55 ms of CPU per resource (measured by `npm run bench`, scenario 5).
  const key = `${process.cwd()}\0${implFile}\0${exportName}`;
  let shim = shims.get(key);
  if (!shim) {
    shim = makeShim(implFile, exportName);
    shims.set(key, shim);
  }
  return shim;
}

const shims = new Map<string, ProviderImpl>();

function makeShim(implFile: string, exportName: string): ProviderImpl {
  const loaderRef = moduleRefFrom(process.cwd(), LOADER);
  const implRef = moduleRefFrom(process.cwd(), implFile);
  // Everything below is serialized; keep it free of outer references other than these strings.
  const impl = (): ProviderImpl => {
    const resolve = loaderRef.startsWith(".") ? require("path").resolve(process.cwd(), loaderRef) : loaderRef;
    return require(resolve).load(implRef, exportName);
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
