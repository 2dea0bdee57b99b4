/**
 * Members from where the data lives, through the real Pulumi CLI (issue 15): an audience from a
 * Parquet column, one from a DuckDB query over CSV files, one from a PostgreSQL query (a real
 * server from scripts/pg-server.sh), each with an exclusion, and a suppression list for every
 * audience. A row changed in the database previews as exactly +1 −1, up sends it, a second up
 * sends nothing, and the database password appears in no output and no state.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Client } from "pg";
import { cookieIds, maidIds } from "../support/synthetic-ids";
import { allFilesText, patchLog, simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { startPgServer, type RunningPgServer } from "../support/pg-server";
import { writeSpecFiles, type Spec } from "../support/spec-files";
import { scenario } from "../support/checkpoints";

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const minus = (xs: readonly string[], ...removed: ReadonlyArray<readonly string[]>): string[] => xs.filter((x) => !removed.some((r) => r.includes(x)));

describe("warehouse sources → pulumi preview/up → exact sets (real CLI, DuckDB, PostgreSQL)", function () {
  this.timeout(10 * 60 * 1000);
  const checkpoint = scenario();
  const maids = maidIds(300, 51);
  const cookies = cookieIds(900, 52);
  // Parquet audience: MAIDs 0..199, minus 10 excluded inline, minus the suppressed MAIDs.
  const parquetMaids = maids.slice(0, 200);
  const excludedMaids = maids.slice(0, 10);
  const suppressedMaids = [...maids.slice(190, 200), ...maids.slice(250, 260)];
  // DuckDB over two CSV files: active cookies 0..299, minus those in an exclusion CSV column.
  const csvCookies = cookies.slice(0, 300);
  const excludedCsvCookies = cookies.slice(0, 20);
  // PostgreSQL: buyers 300..699, minus refunds 300..309, minus opt-outs (also hit the CSV audience).
  const buyers = cookies.slice(300, 700);
  const refunds = cookies.slice(300, 310);
  const optOuts = [...cookies.slice(290, 300), ...cookies.slice(690, 700)];
  const newBuyer = cookies[800] as string;
  const goneBuyer = cookies[400] as string;

  let pg: RunningPgServer;
  let env: SimulatedStack;
  let ids: Record<string, string>;

  const expected = (): Record<string, { COOKIE: string[]; MAID: string[] }> => ({
    "from-parquet": { COOKIE: [], MAID: minus(parquetMaids, excludedMaids, suppressedMaids) },
    "from-duckdb": { COOKIE: minus(csvCookies, excludedCsvCookies, optOuts), MAID: [] },
    "from-postgres": { COOKIE: minus(buyers, refunds, optOuts), MAID: [] },
  });

  async function assertRemote(want: Record<string, { COOKIE: string[]; MAID: string[] }>): Promise<void> {
    for (const [key, members] of Object.entries(want)) {
      const remote = await simMembers(env.sim, ids[key] as string);
      assert.deepEqual(sorted(remote.COOKIE), sorted(members.COOKIE), `${key} cookies`);
      assert.deepEqual(sorted(remote.MAID), sorted(members.MAID), `${key} MAIDs`);
    }
  }

  before(async function () {
    pg = await startPgServer();
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    await db.query("CREATE TABLE buyers (cookie text NOT NULL)");
    await db.query("CREATE TABLE refunds (cookie text NOT NULL)");
    await db.query("CREATE TABLE optouts (cookie text NOT NULL)");
    await db.query("INSERT INTO buyers SELECT unnest($1::text[])", [buyers]);
    await db.query("INSERT INTO refunds SELECT unnest($1::text[])", [refunds]);
    await db.query("INSERT INTO optouts SELECT unnest($1::text[])", [optOuts]);
    await db.end();

    env = await startSimulatedStack("", "e2e-warehouse");
    const dir = path.join(env.work, "spec");
    const spec: Spec = {
      version: 1,
      defaults: { advertiserId: "9223372036854775001", dataSourceCountry: ["US"] },
      sources: { warehouse: { postgres: { connectionConfig: "dsp:warehouseUrl" } } },
      suppress: {
        MAID: { csv: { file: "optouts.csv", column: "maid" } },
        COOKIE: { sql: { source: "warehouse", query: "SELECT cookie FROM optouts" } },
      },
      audiences: {
        "from-parquet": {
          name: "Parquet column audience",
          members: { MAID: { parquet: { file: "data/maids.parquet", column: "maid" } } },
          exclude: { MAID: excludedMaids },
        },
        "from-duckdb": {
          name: "DuckDB over CSV audience",
          members: { COOKIE: { sql: { query: "SELECT cookie FROM read_csv(['data/visits-1.csv', 'data/visits-2.csv'], header = true) WHERE active" } } },
          exclude: { COOKIE: { csv: { file: "data/complaints.csv", column: "cookie", delimiter: ";" } } },
        },
        "from-postgres": {
          name: "PostgreSQL query audience",
          members: { COOKIE: { sql: { source: "warehouse", query: "SELECT cookie FROM buyers" } } },
          exclude: { COOKIE: { sql: { source: "warehouse", query: "SELECT cookie FROM refunds" } } },
        },
      },
    };
    const visits = (rows: string[]): string => ["cookie,active", ...rows].join("\n") + "\n";
    const specFile = writeSpecFiles(dir, spec, {
      "optouts.csv": ["maid", ...suppressedMaids],
      "data/visits-1.csv": visits([...csvCookies.slice(0, 150).map((c) => `${c},true`), ...cookies.slice(850, 860).map((c) => `${c},false`)]),
      "data/visits-2.csv": visits(csvCookies.slice(150).map((c) => `${c},true`)),
      "data/complaints.csv": ["id;cookie", ...excludedCsvCookies.map((c, i) => `${i};${c}`)],
    });
    // The Parquet file is written by DuckDB at run time, like a warehouse export.
    const duck = await DuckDBInstance.create(":memory:");
    const c = await duck.connect();
    await c.run(`CREATE TABLE t (maid VARCHAR, n INTEGER)`);
    const appender = await c.createAppender("t");
    parquetMaids.forEach((m, i) => {
      appender.appendVarchar(m);
      appender.appendInteger(i);
      appender.endRow();
    });
    appender.closeSync();
    await c.run(`COPY t TO '${path.join(dir, "data", "maids.parquet")}' (FORMAT parquet)`);
    c.closeSync();
    duck.closeSync();
    await env.run((s) => s.setConfig("dsp:spec", specFile));
    await env.run((s) => s.setConfig("dsp:warehouseUrl", pg.url, true));
  });

  after(async function () {
    await env?.close();
    await pg?.stop();
  });

  checkpoint("previews each audience's exact count with the suppressed count beside it", async function () {
    const r = await env.run((s) => s.preview());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const want = expected();
    assert.match(r.stdout, new RegExp(`from-parquet MAID: \\+${want["from-parquet"]!.MAID.length} −0 IDs \\(0 unchanged; 10 suppressed\\)`));
    assert.match(r.stdout, new RegExp(`from-duckdb COOKIE: \\+${want["from-duckdb"]!.COOKIE.length} −0 IDs \\(0 unchanged; 10 suppressed\\)`));
    assert.match(r.stdout, new RegExp(`from-postgres COOKIE: \\+${want["from-postgres"]!.COOKIE.length} −0 IDs \\(0 unchanged; 10 suppressed\\)`));
  });

  checkpoint("up sends exactly the computed sets", async function () {
    const r = await env.run((s) => s.up());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = await env.run((s) => s.must(["stack", "output", "--json"]));
    const outputs = JSON.parse(out.stdout) as { audiences: Record<string, { audienceId: string }> };
    ids = Object.fromEntries(Object.entries(outputs.audiences).map(([k, v]) => [k, v.audienceId]));
    await assertRemote(expected());
  });

  checkpoint("a changed database row previews as exactly +1 −1, up sends it, a second up sends nothing", async function () {
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    await db.query("UPDATE buyers SET cookie = $1 WHERE cookie = $2", [newBuyer, goneBuyer]);
    await db.end();
    const preview = await env.run((s) => s.preview());
    assert.equal(preview.code, 0, preview.stdout + preview.stderr);
    const keep = minus(buyers, refunds, optOuts).length - 1;
    assert.match(preview.stdout, new RegExp(`from-postgres COOKIE: \\+1 −1 IDs \\(${keep} unchanged; 10 suppressed\\)`));
    assert.doesNotMatch(preview.stdout, /from-(parquet|duckdb) \w+: \+/, "the other audiences did not change");

    const before = (await patchLog(env)).length;
    const up = await env.run((s) => s.up());
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.equal((await patchLog(env)).length - before, 1, "one request: +1 −1 on the PostgreSQL audience");
    const want = expected();
    want["from-postgres"]!.COOKIE = [...minus(want["from-postgres"]!.COOKIE, [goneBuyer]), newBuyer];
    await assertRemote(want);

    const again = (await patchLog(env)).length;
    const second = await env.run((s) => s.up());
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal((await patchLog(env)).length, again, "a second up sends nothing");
  });

  checkpoint("keeps the database password out of every output and the state", async function () {
    const state = await env.stack.exportState();
    assert.ok(!state.includes(pg.password), "password in exported state");
    for (const { file, text } of allFilesText(path.join(env.work, "backend"))) assert.ok(!text.includes(pg.password), `password in ${file}`);
    for (const out of env.transcript) assert.ok(!out.includes(pg.password), "password in CLI output");
  });

  checkpoint("an SQL error names the audience and the source in one clean error, no stack trace", async function () {
    const specFile = path.join(env.work, "spec", "audiences.yaml");
    const text = fs.readFileSync(specFile, "utf8");
    fs.writeFileSync(specFile, text.replace("SELECT cookie FROM refunds", "SELECT cookie FROM no_such_table"));
    try {
      const r = await env.run((s) => s.preview());
      assert.notEqual(r.code, 0);
      const all = r.stdout + r.stderr;
      assert.match(all, /audiences\.from-postgres\.exclude\.COOKIE \(sql source warehouse\): relation "no_such_table" does not exist/);
      assert.doesNotMatch(all, /\n\s+at /, "no stack trace");
    } finally {
      fs.writeFileSync(specFile, text);
    }
  });
});
