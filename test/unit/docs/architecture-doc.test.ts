/**
 * docs/architecture.md's layer table is the architecture test's: the same rooms, in the same rows,
 * in the same order, each with a line on what it holds.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { LAYERS } from "../architecture.test";
import { REPOSITORY_ROOT, withoutFences } from "../../support/markdown-docs";

interface DocumentedLayer {
  /** Keys as LAYERS names them: `provider/cli/` → `cli`, `provider/version.ts` → `version`. */
  rooms: string[];
  what: string;
}

/** The rows of the first table under the `## Layers` heading of an architecture document. */
export function documentedLayers(markdown: string): DocumentedLayer[] {
  const lines = withoutFences(markdown).split("\n");
  const start = lines.findIndex((line) => /^##\s+Layers\s*$/.test(line));
  assert.notEqual(start, -1, "no `## Layers` heading");
  const rows: DocumentedLayer[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,2}\s/.test(line)) break;
    if (!line.startsWith("|")) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    if (cells.every((cell) => /^:?-+:?$/.test(cell)) || cells[0] === "layer") continue;
    const rooms = [...(cells[0] ?? "").matchAll(/`([^`]+)`/g)].map((m) => roomKey(m[1]!));
    rows.push({ rooms, what: cells[1] ?? "" });
  }
  return rows;
}

/** `provider/cli/` → `cli`; `provider/api-vocabulary.ts` → `api-vocabulary`. */
function roomKey(repoPath: string): string {
  assert.ok(repoPath.startsWith("provider/"), `${repoPath}: a room of the layer table is under provider/`);
  return repoPath.slice("provider/".length).replace(/\/$/, "").replace(/\.ts$/, "");
}

describe("docs/architecture.md: the layer table", () => {
  const doc = fs.readFileSync(path.join(REPOSITORY_ROOT, "docs", "architecture.md"), "utf8");

  it("has the architecture test's layers: the same rooms, rows and order", () => {
    assert.deepEqual(
      documentedLayers(doc).map((row) => row.rooms),
      LAYERS.map((layer) => [...layer]),
    );
  });

  it("says in one line what each row holds", () => {
    for (const row of documentedLayers(doc)) assert.ok(row.what.length >= 20, `${row.rooms.join(", ")}: "${row.what}"`);
  });

  it("reads a table, and would notice a room moved, missing or out of order", () => {
    const sample = [
      "## Layers",
      "",
      "| layer | what the room holds |",
      "|---|---|",
      "| `provider/cli/`, `provider/index.ts` | entries of the package and the command |",
      "| `provider/plan/` | ID sets and the exact diff between them |",
      "",
      "## Processes",
      "| `provider/util/` | not a layer: another section |",
    ].join("\n");
    assert.deepEqual(documentedLayers(sample), [
      { rooms: ["cli", "index"], what: "entries of the package and the command" },
      { rooms: ["plan"], what: "ID sets and the exact diff between them" },
    ]);
    assert.notDeepEqual(documentedLayers(sample).map((row) => row.rooms), [["index", "cli"], ["plan"]]);
  });
});
