/**
 * ID sources through real parts: DuckDB in process (it also writes the Parquet fixtures at run
 * time), csv-parse on real files, and a real PostgreSQL server from scripts/pg-server.sh.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Client } from "pg";
import { idSetFrom } from "../../../provider/plan";
import { removeIds, SourceError, SourceReader } from "../../../provider/sources";
import type { IdListSource, ResolvedSqlSource } from "../../../provider/spec";
import { startPgServer, type RunningPgServer } from "../../support/pg-server";

const MAID = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

describe("ID sources", () => {
  let dir: string;
  const reader = (sources: ResolvedSqlSource[] = [], config: Record<string, string> = {}, env: Record<string, string> = {}): SourceReader =>
    new SourceReader({ sources, dir, config: (key) => config[key], env });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "dsp-sources-"));
    writeFileSync(join(dir, "people.csv"), `name;maid\nann;${MAID(1)}\nbob;${MAID(2).toUpperCase()}\ncy;${MAID(3)}\n`);
    writeFileSync(join(dir, "bad.csv"), `maid\n${MAID(1)}\nnot-a-maid\n\n${MAID(2)}\nsecret-value-7\n`);
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(`COPY (SELECT '00000000-0000-4000-8000-' || lpad(printf('%x', i), 12, '0') AS maid, i AS n FROM range(1, 1001) t(i)) TO '${join(dir, "ids.parquet")}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT CASE WHEN i = 3 THEN NULL ELSE 'c' || i END AS cookie FROM range(1, 6) t(i)) TO '${join(dir, "nulls.parquet")}' (FORMAT parquet)`);
    // Several row groups, so DuckDB scans them in parallel; rows 2, 4000, 5000 and 5999 are not valid cookies.
    await c.run(
      `COPY (SELECT CASE i WHEN 2 THEN 'café-' || i WHEN 4000 THEN '' WHEN 5000 THEN 'two' || chr(10) || 'lines' WHEN 5999 THEN NULL ELSE 'cookie-' || i END AS cookie ` +
        `FROM range(1, 6001) t(i) ORDER BY i) TO '${join(dir, "mixed.parquet")}' (FORMAT parquet, ROW_GROUP_SIZE 1024)`,
    );
    c.closeSync();
    db.closeSync();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a CSV column by header name with a delimiter, canonicalising MAIDs", async () => {
    const r = reader();
    const source: IdListSource = { kind: "csv", file: join(dir, "people.csv"), column: "maid", delimiter: ";", onInvalid: "error" };
    const { set, skipped } = await r.read(source, "MAID", "m");
    await r.close();
    assert.deepEqual(set.toArray().sort(), [MAID(1), MAID(2), MAID(3)]);
    assert.equal(skipped, 0);
  });

  it("names the columns found when the CSV column is missing", async () => {
    const r = reader();
    await assert.rejects(r.read({ kind: "csv", file: join(dir, "people.csv"), column: "email", delimiter: ";", onInvalid: "error" }, "MAID", "audiences.a.members.MAID"), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.match(e.message, /^audiences\.a\.members\.MAID \(csv .*people\.csv, column email\): has no column email; the header has: name, maid$/);
      return true;
    });
  });

  it("reports invalid rows by number without the value, or skips and counts them", async () => {
    const source = { kind: "csv", file: join(dir, "bad.csv"), column: "maid", delimiter: ",", onInvalid: "error" } as const;
    await assert.rejects(reader().read(source, "MAID", "x"), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.match(e.message, /row 2: is not a valid MAID/);
      assert.match(e.message, /row 4: is not a valid MAID/);
      assert.doesNotMatch(e.message, /secret-value|not-a-maid/);
      return true;
    });
    const { set, skipped } = await reader().read({ ...source, onInvalid: "skip" }, "MAID", "x");
    assert.equal(set.size, 2);
    assert.equal(skipped, 2);
  });

  it("reads a Parquet column through DuckDB, and names the columns when one is missing", async () => {
    const r = reader();
    const { set } = await r.read({ kind: "parquet", file: join(dir, "ids.parquet"), column: "maid", onInvalid: "error" }, "MAID", "p");
    assert.equal(set.size, 1000);
    assert.ok(set.has(MAID(1000)));
    await assert.rejects(r.read({ kind: "parquet", file: join(dir, "ids.parquet"), column: "id", onInvalid: "error" }, "MAID", "p"), /has no column id; its columns: maid, n$/);
    await assert.rejects(r.read({ kind: "parquet", file: join(dir, "ids.parquet"), column: "n", onInvalid: "error" }, "MAID", "p"), /column n is BIGINT, not text/);
    await assert.rejects(r.read({ kind: "parquet", file: join(dir, "nulls.parquet"), column: "cookie", onInvalid: "error" }, "COOKIE", "p"), /row 3: is NULL/);
    await r.close();
  });

  it("streams every row of a Parquet column and of a query, in order: non-ASCII, empty, multi-line and NULL values are errors at their rows", async () => {
    const r = reader();
    const sources: Array<{ source: Extract<IdListSource, { kind: "parquet" | "sql" }>; label: RegExp }> = [
      { source: { kind: "parquet", file: join(dir, "mixed.parquet"), column: "cookie", onInvalid: "error" }, label: /^p \(parquet .*mixed\.parquet, column cookie\): / },
      { source: { kind: "sql", query: "SELECT cookie FROM 'mixed.parquet'", onInvalid: "error" }, label: /^p \(sql source \(built-in DuckDB\)\): / },
    ];
    try {
      for (const { source, label } of sources) {
        await assert.rejects(r.read(source, "COOKIE", "p"), (e: Error) => {
          assert.ok(e instanceof SourceError);
          const lines = e.message.split("\n");
          assert.equal(lines.length, 4, e.message);
          for (const line of lines) assert.match(line, label);
          assert.match(lines[0] ?? "", /row 2: is not a valid COOKIE/);
          assert.match(lines[1] ?? "", /row 4,000: is not a valid COOKIE/);
          assert.match(lines[2] ?? "", /row 5,000: is not a valid COOKIE/);
          assert.match(lines[3] ?? "", /row 5,999: is NULL$/);
          assert.doesNotMatch(e.message, /café|lines/);
          return true;
        });
        const { set, skipped } = await r.read({ ...source, onInvalid: "skip" }, "COOKIE", "p");
        assert.equal(skipped, 4);
        assert.equal(set.size, 5996);
        assert.ok(set.has("cookie-1") && set.has("cookie-6000") && !set.has("cookie-2"));
      }
    } finally {
      await r.close();
    }
  });

  it("runs SQL on the built-in DuckDB with relative paths from the spec's folder", async () => {
    const r = reader();
    const query = "SELECT maid FROM read_csv('people.csv', delim=';', header=true) WHERE name <> 'bob'";
    const { set } = await r.read({ kind: "sql", query, onInvalid: "error" }, "MAID", "q");
    await r.close();
    assert.deepEqual(set.toArray().sort(), [MAID(1), MAID(3)]);
  });

  it("gives DuckDB a quarter of the reader's memory budget (at least 125 MB per core), DuckDB's own default without one", async () => {
    const limit = async (memoryBytes?: number): Promise<string | undefined> => {
      const r = new SourceReader({ sources: [], dir, config: () => undefined, env: {}, ...(memoryBytes === undefined ? {} : { memoryBytes }) });
      try {
        return (await r.read({ kind: "sql", query: "SELECT replace(current_setting('memory_limit'), ' ', '')", onInvalid: "error" }, "COOKIE", "q")).set.toArray()[0];
      } finally {
        await r.close();
      }
    };
    // As DuckDB prints a size: one decimal, binary units.
    const shown = (bytes: number): string => (bytes < 2 ** 30 ? `${(bytes / 2 ** 20).toFixed(1)}MiB` : `${(bytes / 2 ** 30).toFixed(1)}GiB`);
    const floor = 125e6 * availableParallelism();
    assert.equal(await limit(floor * 8), shown(floor * 2));
    assert.equal(await limit(floor), shown(floor));
    assert.notEqual(await limit(), shown(floor));
  });

  it("names the audience and source on a SQL error and keeps row values out of it", async () => {
    const r = reader();
    const query = "SELECT CAST(name AS INTEGER)::VARCHAR FROM read_csv('people.csv', delim=';', header=true)";
    await assert.rejects(r.read({ kind: "sql", query, onInvalid: "error" }, "COOKIE", "audiences.a.members.COOKIE"), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.match(e.message, /^audiences\.a\.members\.COOKIE \(sql source \(built-in DuckDB\)\): .*Conversion Error/);
      assert.doesNotMatch(e.message, /ann/);
      return true;
    });
    await assert.rejects(r.read({ kind: "sql", query: "SELECT 'a' AS x, 'b' AS y", onInvalid: "error" }, "COOKIE", "q"), /exactly one column of IDs; it returns 2: x, y/);
    await r.close();
  });

  it("removes exclusions and counts what was removed", () => {
    const members = idSetFrom(["a", "b", "c", "d"]);
    const { set, removed } = removeIds(members, idSetFrom(["b", "d", "z"]));
    assert.deepEqual(set.toArray().sort(), ["a", "c"]);
    assert.equal(removed, 2);
    assert.equal(removeIds(members, undefined).set, members);
  });

  describe("PostgreSQL", function () {
    this.timeout(120_000);
    let pg: RunningPgServer;
    before(async () => {
      pg = await startPgServer();
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      await c.query("CREATE TABLE optouts (cookie text, n int)");
      await c.query("INSERT INTO optouts SELECT 'ck' || i, i FROM generate_series(1, 25000) i");
      await c.end();
    });
    after(() => pg.stop());
    const source: ResolvedSqlSource = { name: "wh", kind: "postgres", connection: { config: "dsp:warehouseUrl" } };

    it("streams a query's column through a cursor", async () => {
      const r = reader([source], { "dsp:warehouseUrl": pg.url });
      const { set } = await r.read({ kind: "sql", source: "wh", query: "SELECT cookie FROM optouts WHERE n % 2 = 0", onInvalid: "error" }, "COOKIE", "q");
      await r.close();
      assert.equal(set.size, 12500);
      assert.ok(set.has("ck25000"));
    });

    it("takes the connection from the environment, and refuses non-text columns", async () => {
      const r = reader([{ name: "wh", kind: "postgres", connection: { env: "WH_URL" } }], {}, { WH_URL: pg.url });
      await assert.rejects(r.read({ kind: "sql", source: "wh", query: "SELECT n FROM optouts", onInvalid: "error" }, "COOKIE", "q"), /column n is of PostgreSQL type oid 23, not text/);
      await r.close();
    });

    it("keeps the password out of errors and row values out of SQL errors", async () => {
      const wrong = pg.url.replace(pg.password, "wrong-password-123");
      const r1 = reader([source], { "dsp:warehouseUrl": wrong });
      await assert.rejects(r1.read({ kind: "sql", source: "wh", query: "SELECT 'x'", onInvalid: "error" }, "COOKIE", "q"), (e: Error) => {
        assert.match(e.message, /cannot connect \(connection string from stack config dsp:warehouseUrl\)/);
        assert.doesNotMatch(e.message, /wrong-password-123/);
        return true;
      });
      await r1.close();
      const r2 = reader([source], { "dsp:warehouseUrl": pg.url });
      await assert.rejects(r2.read({ kind: "sql", source: "wh", query: "SELECT (cookie::int)::text FROM optouts", onInvalid: "error" }, "COOKIE", "audiences.b.exclude.COOKIE"), (e: Error) => {
        assert.match(e.message, /^audiences\.b\.exclude\.COOKIE \(sql source wh\): invalid input syntax for type integer/);
        assert.doesNotMatch(e.message, /ck1/);
        assert.doesNotMatch(e.message, new RegExp(pg.password));
        return true;
      });
      await r2.close();
    });
  });
});
