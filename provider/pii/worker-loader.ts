/**
 * How a worker thread loads our TypeScript. Registering ts-node inside each worker costs ~1 s of
 * start-up per worker (it loads the TypeScript compiler; 7 s for two on a busy 2-core host). When
 * the main thread itself runs from .ts (under ts-node, so TypeScript is already loaded), it
 * transpiles the worker's import closure once and passes the JS along; the worker's bootstrap
 * registers a ".ts" loader that serves that code. Compiled .js builds just require the entry.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TypeScript from "typescript";

export interface WorkerBootstrap {
  /** Code for `new Worker(code, { eval: true })`. */
  readonly code: string;
  /**
   * The parent's execArgv minus ts-node preloads: workers inherit `-r ts-node/register…`, which
   * would load the compiler in every worker after all.
   */
  readonly execArgv: string[];
  /** JS per absolute .ts path, to pass as `workerData.compiledSources`; undefined for .js builds. */
  readonly compiledSources?: Readonly<Record<string, string>>;
}

const closures = new Map<string, Readonly<Record<string, string>>>();
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g;

/** Transpiles `entry` and every local module it imports (transitively), once per process. */
function transpileClosure(entry: string): Readonly<Record<string, string>> {
  const cached = closures.get(entry);
  if (cached !== undefined) return cached;
  const ts = require("typescript") as typeof TypeScript;
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const out: Record<string, string> = {};
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (out[file] !== undefined) continue;
    const source = fs.readFileSync(file, "utf8");
    out[file] = ts.transpileModule(source, { fileName: file, compilerOptions }).outputText;
    for (const match of source.matchAll(RELATIVE_IMPORT)) {
      const target = path.resolve(path.dirname(file), `${match[1]}.ts`);
      if (fs.existsSync(target)) queue.push(target);
    }
  }
  closures.set(entry, out);
  return out;
}

/** `execArgv` without `-r`/`--require` of ts-node (both "-r x" and "--require=x" forms). */
export function withoutTsNodePreload(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    if ((arg === "-r" || arg === "--require") && (execArgv[i + 1] ?? "").includes("ts-node")) {
      i++;
      continue;
    }
    if (/^(-r|--require)=.*ts-node/.test(arg)) continue;
    out.push(arg);
  }
  return out;
}

/** Lines that serve ".ts" modules from the JS in the variable `compiled` (by absolute path), then load `entry`. */
function requireFromCompiled(compiled: string, entry: string): string[] {
  return [
    'require.extensions[".ts"] = (module, filename) => {',
    `  const js = ${compiled}[filename];`,
    '  if (js === undefined) throw new Error("no precompiled source for " + filename);',
    "  module._compile(js, filename);",
    "};",
    `require(${JSON.stringify(entry)});`,
  ];
}

/** Bootstrap for a worker whose entry module is `entry` (a .ts or .js path). */
export function workerBootstrap(entry: string): WorkerBootstrap {
  if (!entry.endsWith(".ts")) return { code: `require(${JSON.stringify(entry)});`, execArgv: [...process.execArgv] };
  const code = ['const compiled = require("node:worker_threads").workerData.compiledSources;', ...requireFromCompiled("compiled", entry)].join("\n");
  return { code, execArgv: withoutTsNodePreload(process.execArgv), compiledSources: transpileClosure(entry) };
}

/** How a child process (spawned with an IPC channel) runs `entry`. */
export interface ChildBootstrap {
  /** Arguments for `process.execPath`. */
  readonly args: string[];
  /** The first IPC message to send, for a .ts entry: the transpiled closure; undefined for .js builds. */
  readonly init?: { readonly compiledSources: Readonly<Record<string, string>> };
}

/** Bootstrap for a child process whose entry module is `entry`: the worker approach over IPC instead of workerData. */
export function childBootstrap(entry: string): ChildBootstrap {
  const execArgv = withoutTsNodePreload(process.execArgv);
  if (!entry.endsWith(".ts")) return { args: [...execArgv, entry] };
  const code = ['process.once("message", ({ compiledSources }) => {', ...requireFromCompiled("compiledSources", entry), "});"].join("\n");
  return { args: [...execArgv, "-e", code], init: { compiledSources: transpileClosure(entry) } };
}
