/**
 * The program's source reading (issue 15): members minus the audience's exclusions minus the
 * suppression list, the counts the plan line shows, and every failing source reported at once.
 * Real files, real DuckDB.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memberSetKey, readMemberSources } from "../../../provider/program/member-sources";
import { describeInputFailures } from "../../../provider/program/input-diagnostics";
import { loadSpec } from "../../../provider/spec";
import { writeSpecFiles, type Spec } from "../../support/spec-files";
import { cookieIds } from "../../support/synthetic-ids";
import { idSetFrom, SpilledSet } from "../../../provider/plan";
import { applyRemovals, type Removals } from "../../../provider/program/removal-lists";
import { OWNER_FILE } from "../../../provider/util/scratch-folder";

/** The set files in this process's `dsp-set-*` folders, sorted. */
function setFilesOfThisProcess(): string[] {
  const own = readdirSync(tmpdir()).filter((name) => {
    if (!name.startsWith("dsp-set-")) return false;
    try {
      return (JSON.parse(readFileSync(join(tmpdir(), name, OWNER_FILE), "utf8")) as { pid: number }).pid === process.pid;
    } catch {
      return false;
    }
  });
  return own.flatMap((name) => readdirSync(join(tmpdir(), name)).filter((file) => file.endsWith(".ids")).map((file) => join(tmpdir(), name, file))).sort();
}

describe("readMemberSources", () => {
  let dir: string;
  const ids = cookieIds(12, 81);
  const [a, b, c, d, e, f] = ids as [string, string, string, string, string, string];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dsp-member-sources-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const base = (audiences: Spec["audiences"], extra: Partial<Spec> = {}): Spec => ({ version: 1, defaults: { advertiserId: "1", dataSourceCountry: ["US"] }, audiences, ...extra });

  it("within a small dsp:planMemoryMB, CSV, SQL and file members are sorted on disk, with exclusions and suppression exact", async () => {
    const many = cookieIds(40_000, 82);
    const spec = base(
      {
        csv: { name: "From a big CSV", members: { COOKIE: { csv: { file: "m.csv", column: "cookie" } } }, exclude: { COOKIE: { file: "x.txt" } } },
        sql: { name: "From a big query", members: { COOKIE: { sql: { query: "SELECT cookie FROM read_csv('m.csv', header = true)" } } } },
        file: { name: "From a big ID file", members: { COOKIE: { file: "ids.txt" } } },
      },
      { suppress: { COOKIE: { file: "optouts.txt" } } },
    );
    const file = writeSpecFiles(dir, spec, {
      "m.csv": ["cookie", ...many],
      "ids.txt": many,
      "x.txt": many.slice(0, 100),
      "optouts.txt": many.slice(100, 150),
    });
    const read = await readMemberSources(await loadSpec(file), (key) => (key === "dsp:planMemoryMB" ? "1" : undefined));
    assert.deepEqual(read.failures, []);
    // Suppressed: IDs 100–149 everywhere; excluded: IDs 0–99 from the CSV audience only.
    const expected = (excluded: boolean): string[] => [...(excluded ? [] : many.slice(0, 100)), ...many.slice(150)].sort();
    for (const [key, excluded] of [["csv", true], ["sql", false], ["file", false]] as const) {
      const set = read.memberSets.get(memberSetKey(key, "COOKIE"));
      assert.ok(set instanceof SpilledSet, `${key}: 40,000 IDs in a 1 MB budget are sorted on disk`);
      assert.deepEqual(set.toArray().sort(), expected(excluded), key);
      assert.deepEqual(read.leftOut.get(memberSetKey(key, "COOKIE")), { suppressed: 50, skipped: 0 }, key);
      set.dispose();
    }
  });

  it("within a small dsp:planMemoryMB, large exclusion and suppression lists are sorted on disk: the same sets and counts as in memory, and their files go once used", async () => {
    const many = cookieIds(30_000, 83);
    const externalIds = many.map((_, i) => `customer-${i}`);
    const spec = base(
      {
        big: { name: "Big members, big lists", members: { COOKIE: { file: "ids.txt" } }, exclude: { COOKIE: { file: "x.txt" } } },
        other: { name: "Suppressed only", members: { COOKIE: { csv: { file: "m.csv", column: "cookie" } } } },
        crm: { name: "From records", members: { EXTERNAL_USER_ID: { records: "people" } }, exclude: { EXTERNAL_USER_ID: { file: "xe.txt" } } },
      },
      { suppress: { COOKIE: { file: "optouts.txt" } }, records: { people: { csv: "people.csv", idColumn: "customer_id" } } },
    );
    const file = writeSpecFiles(dir, spec, {
      "ids.txt": many.slice(0, 20_000),
      "m.csv": ["cookie", ...many.slice(5_000, 25_000)],
      "x.txt": many.slice(10_000), // 10,000 members and 10,000 others
      "optouts.txt": [...many.slice(0, 2_000), ...many.slice(8_000, 16_000)],
      "xe.txt": externalIds.slice(0, 20_000),
      "people.csv": "customer_id,email\n",
    });
    const loaded = await loadSpec(file);
    const inMemory = await readMemberSources(loaded, () => undefined);
    const ownSets = (): string[] => setFilesOfThisProcess();
    const before = ownSets();
    const bounded = await readMemberSources(loaded, (key) => (key === "dsp:planMemoryMB" ? "1" : undefined));
    assert.deepEqual([inMemory.failures, bounded.failures], [[], []]);
    for (const key of ["big", "other"]) {
      const expected = inMemory.memberSets.get(memberSetKey(key, "COOKIE"));
      const got = bounded.memberSets.get(memberSetKey(key, "COOKIE"));
      assert.ok(expected !== undefined && !(expected instanceof SpilledSet), `${key}: in memory at the default budget`);
      assert.ok(got instanceof SpilledSet, `${key}: on disk within 1 MB`);
      assert.deepEqual(got.toArray(), expected.toArray(), key);
      assert.deepEqual(bounded.leftOut.get(memberSetKey(key, "COOKIE")), inMemory.leftOut.get(memberSetKey(key, "COOKIE")), key);
      got.dispose();
    }
    assert.deepEqual(inMemory.leftOut.get(memberSetKey("big", "COOKIE")), { suppressed: 4_000, skipped: 0 });
    assert.deepEqual(inMemory.leftOut.get(memberSetKey("other", "COOKIE")), { suppressed: 8_000, skipped: 0 });
    // The records membership's list waits, on disk, until the records are read; applying it deletes it.
    const removal = bounded.removals.get(memberSetKey("crm", "EXTERNAL_USER_ID"));
    const list = removal?.exclude?.set;
    assert.ok(list instanceof SpilledSet, "a 20,000-line exclusion list is on disk within 1 MB");
    assert.deepEqual(ownSets(), [...before, list.path].sort(), "every other list's file is gone once its memberships used it");
    const records = idSetFrom(externalIds.slice(15_000));
    const applied = applyRemovals(records, removal as Removals);
    assert.deepEqual(applied.set.toArray(), applyRemovals(records, inMemory.removals.get(memberSetKey("crm", "EXTERNAL_USER_ID")) as Removals).set.toArray());
    assert.equal(applied.set.size, 10_000);
    assert.deepEqual(ownSets(), before, "the last list's file is gone once applied");
  });

  it("removes exclusions, then the suppression list, and counts what suppression and skipping left out", async () => {
    const spec = base(
      {
        csv: { name: "From a CSV column", members: { COOKIE: { csv: { file: "m.csv", column: "cookie", onInvalid: "skip" } } }, exclude: { COOKIE: [a] } },
        sql: { name: "From DuckDB SQL", members: { COOKIE: { sql: { query: "SELECT cookie FROM read_csv('m.csv', header = true) WHERE n <> 4" } } } },
        inline: { name: "Inline members", members: { COOKIE: [e, f] } },
      },
      { suppress: { COOKIE: { file: "optouts.txt" } } },
    );
    const file = writeSpecFiles(dir, spec, { "m.csv": ["n,cookie", `1,${a}`, `2,${b}`, `3,${c}`, "4,not a cookie!", `5,${d}`], "optouts.txt": [c, f] });
    const read = await readMemberSources(await loadSpec(file), () => undefined);
    assert.deepEqual(read.failures, []);
    assert.deepEqual(read.memberSets.get(memberSetKey("csv", "COOKIE"))?.toArray().sort(), [b, d].sort());
    assert.deepEqual(read.leftOut.get(memberSetKey("csv", "COOKIE")), { suppressed: 1, skipped: 1 });
    // Suppression applies to every audience; exclusions only to their own.
    assert.deepEqual(read.memberSets.get(memberSetKey("sql", "COOKIE"))?.toArray().sort(), [a, b, d].sort());
    assert.deepEqual(read.leftOut.get(memberSetKey("sql", "COOKIE")), { suppressed: 1, skipped: 0 });
    assert.deepEqual(read.memberSets.get(memberSetKey("inline", "COOKIE"))?.toArray(), [e]);
    assert.deepEqual(read.leftOut.get(memberSetKey("inline", "COOKIE")), { suppressed: 1, skipped: 0 });
  });

  it("reports every failing source in one pass, each naming where it is, as input errors", async () => {
    const spec = base(
      {
        invalid: { name: "An invalid row", members: { COOKIE: { sql: { query: "SELECT cookie FROM read_csv('m.csv', header = true)" } } } },
        missing: { name: "A missing column", members: { COOKIE: { csv: { file: "m.csv", column: "email" } } } },
        broken: { name: "A broken query", members: { COOKIE: { sql: { query: "SELECT cookie FROM no_such_table" } } } },
      },
      { suppress: { COOKIE: { parquet: { file: "m.csv", column: "cookie" } } } },
    );
    const file = writeSpecFiles(dir, spec, { "m.csv": ["n,cookie", `1,${a}`, "2,not a cookie!"] });
    const read = await readMemberSources(await loadSpec(file), () => undefined);
    const { lines, unexpected } = describeInputFailures(read.failures, dir);
    assert.equal(unexpected, false);
    assert.equal(lines.length, 4, lines.join("\n"));
    assert.match(lines[0] ?? "", /^suppress\.COOKIE \(parquet .*m\.csv, column cookie\): /);
    assert.match(lines[1] ?? "", /^audiences\.invalid\.members\.COOKIE \(sql source \(built-in DuckDB\)\): row 2: is not a valid COOKIE ID/);
    assert.match(lines[2] ?? "", /^audiences\.missing\.members\.COOKIE \(csv .*m\.csv, column email\): has no column email; the header has: n, cookie$/);
    assert.match(lines[3] ?? "", /^audiences\.broken\.members\.COOKIE \(sql source \(built-in DuckDB\)\): Catalog Error: Table with name no_such_table does not exist/);
    assert.ok(lines.every((line) => !line.includes("not a cookie!") && !line.includes(a)), "no value in any message");
  });
});
