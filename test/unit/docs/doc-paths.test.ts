/**
 * Docs that cannot go stale: every repository path README.md and docs/*.md name (in a code span
 * or a link) exists, every link to a heading finds it, every docs/ page is linked from the README,
 * and every `docs/….md#anchor` a code comment cites exists.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { codeSpans, documentationFiles, headingAnchors, linkTargets, REPOSITORY_ROOT } from "../../support/markdown-docs";

/** What a build or an install puts at the top of a clone: named by the docs, but not in a fresh clone. */
const NOT_COMMITTED = ["node_modules", "dist", ".git"];

/** First path segments that name this repository's own files: its top-level entries, not built or installed ones. */
function topLevelEntries(root: string): Set<string> {
  return new Set(fs.readdirSync(root).filter((name) => !NOT_COMMITTED.includes(name)));
}

/** Placeholders (`<id>`, `…`, `*`, `{a,b}`, `$X`), alternatives (`a|b`), spaces (a command line) and URLs name no one file. */
const NOT_A_PATH = /[<>*…{}$|\s]|\.\.\.|:\/\//;

/**
 * The repository path a code span names (`provider/sync/tracked-send.ts`, `examples/github-actions/`),
 * or undefined: a span names one when it has a `/` and starts with a top-level entry of the
 * repository, or is a TypeScript or JavaScript file (which the docs always name from the
 * repository's root), so `ids/maids.txt` in a spec example or `application/json` is not one.
 */
export function repositoryPathOf(span: string, topLevel: ReadonlySet<string>): string | undefined {
  if (NOT_A_PATH.test(span) || !span.includes("/") || NOT_COMMITTED.includes(span.split("/")[0]!)) return undefined;
  return topLevel.has(span.split("/")[0]!) || /\.(ts|js|mjs)$/.test(span) ? span : undefined;
}

/** A link's file (relative to the document) and heading anchor; undefined for a URL or a mail address. */
export function linkTarget(target: string): { file: string; anchor?: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const hash = target.indexOf("#");
  if (hash === -1) return { file: target };
  return { file: target.slice(0, hash), anchor: target.slice(hash + 1) };
}

function exists(repoPath: string): boolean {
  return fs.existsSync(path.join(REPOSITORY_ROOT, repoPath));
}

const anchorsOf = new Map<string, Set<string>>();
function anchorsIn(repoPath: string): Set<string> {
  let anchors = anchorsOf.get(repoPath);
  if (anchors === undefined) {
    anchors = headingAnchors(fs.readFileSync(path.join(REPOSITORY_ROOT, repoPath), "utf8"));
    anchorsOf.set(repoPath, anchors);
  }
  return anchors;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPOSITORY_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

describe("docs: every path and anchor they name exists", () => {
  const topLevel = topLevelEntries(REPOSITORY_ROOT);
  const docs = documentationFiles();

  it("finds the README and the docs/ pages", () => {
    assert.ok(docs.includes("README.md") && docs.includes("docs/architecture.md") && docs.length >= 8, docs.join(", "));
  });

  for (const doc of docs) {
    it(`${doc}: every repository path in a code span exists`, () => {
      const text = fs.readFileSync(path.join(REPOSITORY_ROOT, doc), "utf8");
      const paths = codeSpans(text).flatMap((span) => repositoryPathOf(span, topLevel) ?? []);
      assert.deepEqual(paths.filter((p) => !exists(p)), []);
    });

    it(`${doc}: every link to a file in the repository, and to a heading, resolves`, () => {
      const text = fs.readFileSync(path.join(REPOSITORY_ROOT, doc), "utf8");
      const broken: string[] = [];
      for (const raw of linkTargets(text)) {
        const target = linkTarget(raw);
        if (target === undefined) continue;
        const file = target.file === "" ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), target.file));
        if (file.startsWith("..") || !exists(file)) broken.push(`${raw} (no file ${file})`);
        else if (target.anchor !== undefined && file.endsWith(".md") && !anchorsIn(file).has(target.anchor)) broken.push(`${raw} (no heading #${target.anchor} in ${file})`);
      }
      assert.deepEqual(broken, []);
    });
  }

  it("links every docs/ page from the README", () => {
    const links = new Set(linkTargets(fs.readFileSync(path.join(REPOSITORY_ROOT, "README.md"), "utf8")).map((t) => t.split("#")[0]));
    assert.deepEqual(docs.filter((d) => d.startsWith("docs/") && !links.has(d)), []);
  });

  it("finds every docs/….md#anchor a code comment in provider/ or simulator/ cites", () => {
    const broken: string[] = [];
    for (const file of [...sourceFiles("provider"), ...sourceFiles("simulator")]) {
      for (const m of fs.readFileSync(path.join(REPOSITORY_ROOT, file), "utf8").matchAll(/\bdocs\/([\w-]+\.md)(?:#([\w-]+))?/g)) {
        const doc = `docs/${m[1]}`;
        if (!exists(doc)) broken.push(`${file}: ${m[0]} (no file)`);
        else if (m[2] !== undefined && !anchorsIn(doc).has(m[2])) broken.push(`${file}: ${m[0]} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("tells a repository path, a placeholder and a URL apart", () => {
    const top = new Set(["provider", "examples", "docs"]);
    assert.equal(repositoryPathOf("provider/sync/tracked-send.ts", top), "provider/sync/tracked-send.ts");
    assert.equal(repositoryPathOf("examples/github-actions/", top), "examples/github-actions/");
    assert.equal(repositoryPathOf("records/records-source.ts", top), "records/records-source.ts", "a source file named from below the root is checked, and fails");
    for (const notOne of ["dist/index.js", "ids/maids.txt", "application/json", "provider/<kind>/x.ts", "docs/*.md", "s3://bucket/prefix", "npx mocha test/unit/x.ts", "README.md"]) {
      assert.equal(repositoryPathOf(notOne, top), undefined, notOne);
    }
    assert.deepEqual(linkTarget("../examples/basic/audiences.yaml"), { file: "../examples/basic/audiences.yaml" });
    assert.deepEqual(linkTarget("recovery.md#sync-history"), { file: "recovery.md", anchor: "sync-history" });
    assert.deepEqual(linkTarget("#gitops"), { file: "", anchor: "gitops" });
    assert.equal(linkTarget("https://example.com/a.md"), undefined);
    assert.ok(!exists("provider/no-such-room/file.ts"), "a missing path is reported as missing");
  });
});
