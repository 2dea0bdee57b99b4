import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDuckDbPlanning } from "../../../bench/planning-duckdb";

/** IDs a CSV reader likes to change: delimiters, quotes, escapes, padding, non-ASCII, words that look like NULL or a comment. */
const AWKWARD = ["a,b", '"quoted"', 'half"quote', "'single'", "back\\slash", "  padded both  ", "inner space", "tab\tinside", "naïve-é", "漢字-ID", "😀emoji", "NULL", "#not-a-comment", ";semi;", ",", '"'];

function lines(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

describe("bench/planning-duckdb: design B of issue 14's bounded-memory plan", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "planning-duckdb-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const query of ["except", "full-outer-join"] as const) {
    it(`writes exactly desired − applied and applied − desired, every ID byte for byte, each once (${query})`, async () => {
      const common = Array.from({ length: 9_900 }, (_, i) => `id-${i}`);
      const removed = [...Array.from({ length: 100 }, (_, i) => `gone-${i}`), ...AWKWARD.slice(0, 8)];
      const added = [...Array.from({ length: 100 }, (_, i) => `new-${i}`), ...AWKWARD.slice(8)];
      // 10,000 IDs a side; both files repeat some IDs and the desired one has a blank line, which add nothing.
      const appliedFile = join(dir, "applied.ids");
      const desiredFile = join(dir, "desired.ids");
      writeFileSync(appliedFile, [...common, ...removed, removed[0], AWKWARD[3]].join("\n") + "\n");
      writeFileSync(desiredFile, [...added, ...common.slice().reverse(), "", added[0], common[0], AWKWARD[10]].join("\n"));

      const f = await runDuckDbPlanning({ appliedFile, desiredFile, memoryMB: 64, workDir: dir, threads: 2, query });

      assert.equal(f.addCount, added.length);
      assert.equal(f.removeCount, removed.length);
      assert.deepEqual(lines(f.addsFile).sort(), added.slice().sort());
      assert.deepEqual(lines(f.removesFile).sort(), removed.slice().sort());
      assert.ok(f.peakRssMb >= f.rssBeforeMb && f.rssBeforeMb > 0, `peak ${f.peakRssMb} MB, before ${f.rssBeforeMb} MB`);
      assert.ok(f.wallMs > 0 && f.cpuMs > 0);
    });
  }

  it("writes empty files when the sets are equal", async () => {
    const file = join(dir, "same.ids");
    writeFileSync(file, AWKWARD.join("\n") + "\n");
    const f = await runDuckDbPlanning({ appliedFile: file, desiredFile: file, memoryMB: 64, workDir: dir });
    assert.deepEqual([f.addCount, f.removeCount, lines(f.addsFile), lines(f.removesFile)], [0, 0, [], []]);
  });

  it("fails with one line that names the file and line, not the line's bytes, when a file is not UTF-8", async () => {
    const appliedFile = join(dir, "applied.ids");
    const desiredFile = join(dir, "desired.ids");
    writeFileSync(appliedFile, "fine\n");
    writeFileSync(desiredFile, Buffer.concat([Buffer.from("fine\nsecret-"), Buffer.from([0xff, 0xfe]), Buffer.from("-value\n")]));
    await assert.rejects(runDuckDbPlanning({ appliedFile, desiredFile, memoryMB: 64, workDir: dir }), (error: Error) => {
      assert.match(error.message, /^DuckDB planning failed \(exit 1\): .*Line: 2\b.*not utf-8/);
      assert.ok(error.message.endsWith(`file = ${desiredFile}`), error.message);
      assert.ok(!error.message.includes("\n"), error.message);
      assert.ok(!error.message.includes("secret"), error.message);
      return true;
    });
  });
});
