/**
 * The tree is the architecture: every import in provider/ points down the layer table below, and
 * no file reaches itself through its imports (provider/ and simulator/). Run alone with
 * `npx mocha -r ts-node/register/transpile-only test/unit/architecture.test.ts`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

/**
 * provider/'s layers, top first: a file may import from its own layer or any layer below it.
 * Keys are the first path segment under provider/ (a folder, or a file without `.ts`).
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["index", "cli", "dynamic-providers"], // entries: the library's root, the `dsp-audiences` command, the providers' table the shim loads
  ["gitops"], //                                    command process: plan summaries of previews, sync history
  ["program"], //                                   program process: spec -> resources
  ["audience", "membership", "customer-records", "user-deletions"], // one folder per resource kind: its declaration, lifecycle, plan and messages
  ["resources", "provider-process"], //             what every declaration shares (the shim, desired-set snapshots); what the provider process knows (context, log, holds, errors)
  ["sync", "sources"], //                           the neutral sync engine (journal, plan, tracked send, outcomes, windows); ID sources (files, columns, SQL)
  ["config"], //                                    settings from stack config or environment; where snapshots live
  ["spec", "pii", "snapshots", "client"], //        pure core and the HTTP client
  ["plan"], //                                      ID sets, diffs, fingerprints
  ["util", "version", "api-vocabulary"], //         leaves: the API's vocabulary (ID types, patterns, limits)
];

/** Files outside provider/ that a provider file may import: the spec's JSON Schema; the simulator from the command line (`dsp-audiences sim`). */
const OUTSIDE_ALLOWED: readonly { from: RegExp; to: RegExp }[] = [
  { from: /^provider\/spec\//, to: /^schema\/[^/]+\.json$/ },
  { from: /^provider\/cli\//, to: /^simulator\/[^/]+\.ts$/ },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative import specifiers: `import … from`, `export … from`, `import "…"`, `import(…)`, `require(…)`. */
function relativeImports(text: string): string[] {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specs: string[] = [];
  const pattern = /(?:\bfrom\s+|\bimport\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']*)["']/g;
  for (const m of withoutComments.matchAll(pattern)) specs.push(m[1]!);
  return specs;
}

function resolve(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** file -> files it imports, repository-relative paths. */
function importGraph(dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) {
    for (const file of sourceFiles(path.join(ROOT, dir))) {
      const targets = relativeImports(fs.readFileSync(file, "utf8")).map((spec) => {
        const target = resolve(file, spec);
        assert.ok(target, `${path.relative(ROOT, file)}: cannot resolve "${spec}"`);
        return path.relative(ROOT, target);
      });
      graph.set(path.relative(ROOT, file), targets);
    }
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function layerOf(file: string): number {
  const key = file.slice("provider/".length).split("/")[0]!.replace(/\.ts$/, "");
  const layer = LAYERS.findIndex((names) => names.includes(key));
  assert.notEqual(layer, -1, `${file}: provider/${key} is in no layer of test/unit/architecture.test.ts`);
  return layer;
}

describe("architecture: the tree is the layer diagram", () => {
  const graph = importGraph(["provider", "simulator"]);

  it("has no import cycle in provider/ or simulator/", () => {
    assert.deepEqual(cycles(graph), []);
  });

  it("imports only down the layers in provider/", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      if (!file.startsWith("provider/")) continue;
      for (const target of targets) {
        if (!target.startsWith("provider/")) {
          if (!OUTSIDE_ALLOWED.some((rule) => rule.from.test(file) && rule.to.test(target))) upward.push(`${file} -> ${target} (outside provider/)`);
          continue;
        }
        if (layerOf(target) < layerOf(file)) upward.push(`${file} -> ${target}`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it("finds a cycle and an upward import when there is one", () => {
    assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", ["a"]], ["c", ["a"]]])), [["a", "b"]]);
    assert.ok(layerOf("provider/program/x.ts") < layerOf("provider/provider-process/y.ts"));
    assert.ok(layerOf("provider/membership/x.ts") < layerOf("provider/sync/y.ts"), "a resource kind sits above the neutral sync engine");
  });
});
