/**
 * A spec is data: its SQL may only read, and only what the spec may read. Each escape is tried
 * through the real reader (DuckDB in its own process, a real PostgreSQL server from
 * scripts/pg-server.sh) and must be one clean SourceError naming the source and the rule, with
 * no IDs read and no file written anywhere in the test's tree.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Client } from "pg";
import { SourceError, SourceReader } from "../../../provider/sources";
import type { ResolvedSqlSource } from "../../../provider/spec";
import { startPgServer, type RunningPgServer } from "../../support/pg-server";

/** Every path under `root` with its size and modification time: what a refused query must leave as it was. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const stat = statSync(path, { throwIfNoEntry: false });
      out.push(`${relative(root, path)} ${entry.isSymbolicLink() ? "link" : `${stat?.size ?? "?"} ${stat?.mtimeMs ?? "?"}`}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out.sort();
}

describe("SQL confinement", function () {
  this.timeout(120_000);
  let root: string;
  let spec: string;
  let allowed: string;
  const what = "audiences.a.members.COOKIE";

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "dsp-confine-"));
    spec = join(root, "spec");
    allowed = join(root, "shared");
    mkdirSync(join(spec, "data"), { recursive: true });
    mkdirSync(allowed);
    mkdirSync(join(root, "outside"));
    writeFileSync(join(spec, "data", "visits.csv"), "cookie\nabcdefghijklmnopqrstuv\nbcdefghijklmnopqrstuvw\n");
    writeFileSync(join(allowed, "more.csv"), "cookie\ncdefghijklmnopqrstuvwx\n");
    writeFileSync(join(root, "outside", "secret.txt"), "abcdefghijklmnopqrstuvwxyz\n");
    symlinkSync(join(root, "outside"), join(spec, "link"));
    const db = await DuckDBInstance.create(join(spec, "data", "lake.duckdb"));
    const c = await db.connect();
    await c.run("CREATE TABLE optouts AS SELECT 'defghijklmnopqrstuvwxy' AS cookie");
    c.closeSync();
    db.closeSync();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const reader = (sources: ResolvedSqlSource[] = []): SourceReader =>
    new SourceReader({ sources, dir: spec, allowedRoots: [allowed], config: () => undefined, env: {} });

  /** Runs `query`, expects a refusal matching `rule`, and that the tree did not change. */
  async function refused(query: string, rule: RegExp, source?: string, sources: ResolvedSqlSource[] = []): Promise<string> {
    const before = tree(root);
    const r = reader(sources);
    let message = "";
    try {
      await assert.rejects(r.read({ kind: "sql", ...(source === undefined ? {} : { source }), query, onInvalid: "skip" }, "COOKIE", what), (e: Error) => {
        assert.ok(e instanceof SourceError, `${e.name}: ${e.message}`);
        message = e.message;
        return true;
      });
    } finally {
      await r.close();
    }
    assert.match(message, new RegExp(`^${what.replace(/\./g, "\\.")} \\(sql source ${source ?? "\\(built-in DuckDB\\)"}\\): `));
    assert.match(message, rule);
    assert.doesNotMatch(message, /\n/, "one line");
    assert.deepEqual(tree(root), before, "nothing written");
    return message;
  }

  const escapes: Array<{ name: string; query: string; rule: RegExp }> = [
    {
      name: "reading /etc/passwd (the issue's first case)",
      query: "SELECT CAST(line AS VARCHAR) AS id FROM (SELECT unnest(string_split(content, chr(10))) AS line FROM read_text('/etc/passwd'))",
      rule: /may not read "\/etc\/passwd": a query reads only files in the spec folder and settings\.allowedRoots$/,
    },
    {
      name: "a second statement that writes a file (the issue's second case)",
      query: "SELECT 'abcdefghijklmnopqrstuv' AS id) ; COPY (SELECT 'pwned') TO '../pwned' ; SELECT * FROM (SELECT 'abcdefghijklmnopqrstuv' AS id",
      rule: /is not valid SQL \(a query must be exactly one SELECT statement\): syntax error at or near "\)"$/,
    },
    {
      name: "three statements, one of them writing a file",
      query: "SELECT 'abcdefghijklmnopqrstuv' AS id; COPY (SELECT 'pwned') TO '../pwned'; SELECT 'bcdefghijklmnopqrstuvw' AS id",
      rule: /the query must be exactly one SELECT statement; it has 3 statements \(SQL in a spec may only read\)$/,
    },
    { name: "two SELECT statements", query: "SELECT 'abcdefghijklmnopqrstuv'; SELECT 'bcdefghijklmnopqrstuvw'", rule: /exactly one SELECT statement; it has 2 statements/ },
    { name: "COPY into the spec's own folder", query: "COPY (SELECT 'pwned') TO 'pwned.csv'", rule: /must be a SELECT statement; COPY statements are refused/ },
    { name: "ATTACH", query: "ATTACH 'data/lake.duckdb' AS lake", rule: /ATTACH statements are refused/ },
    { name: "INSTALL", query: "INSTALL httpfs", rule: /INSTALL statements are refused/ },
    { name: "LOAD", query: "LOAD httpfs", rule: /LOAD statements are refused/ },
    { name: "SET", query: "SET enable_external_access = true", rule: /SET statements are refused/ },
    { name: "a PRAGMA that DuckDB rewrites into a SELECT", query: "PRAGMA show_tables", rule: /PRAGMA statements are refused/ },
    { name: "a PRAGMA", query: "PRAGMA enable_profiling", rule: /PRAGMA statements are refused/ },
    { name: "CREATE", query: "CREATE TABLE t AS SELECT 'abcdefghijklmnopqrstuv' AS id", rule: /CREATE statements are refused/ },
    { name: "EXPORT", query: "EXPORT DATABASE 'exported'", rule: /EXPORT statements are refused/ },
    { name: "CALL", query: "CALL pragma_version()", rule: /CALL statements are refused/ },
    { name: "a query with no statement", query: "-- nothing here", rule: /the query has no statement/ },
    { name: "a relative path out of the spec's folder", query: "SELECT content FROM read_text('../outside/secret.txt')", rule: /may not read "\.\.\/outside\/secret\.txt"/ },
    { name: "a symbolic link out of the spec's folder", query: "SELECT content FROM read_text('link/secret.txt')", rule: /may not read "link\/secret\.txt"/ },
    { name: "a glob of another folder", query: "SELECT file FROM glob('/etc/*')", rule: /may not read "\/etc\/\*"/ },
    { name: "an s3:// object inside SQL", query: "SELECT maid FROM read_parquet('s3://bucket/x.parquet')", rule: /may not read "s3:\/\/bucket\/x\.parquet": a query reads local files only/ },
    { name: "an https:// URL inside SQL", query: "SELECT * FROM read_csv('https://example.com/ids.csv')", rule: /may not read "https:\/\/example\.com\/ids\.csv"/ },
    { name: "the query() table function running another statement", query: "SELECT * FROM query('COPY (SELECT 1) TO ''pwned.csv''')", rule: /Expected a single SELECT statement/ },
  ];
  for (const { name, query, rule } of escapes) {
    it(`refuses ${name} on the built-in DuckDB`, async () => {
      await refused(query, rule);
      assert.ok(!existsSync(join(root, "pwned")) && !existsSync(join(spec, "pwned.csv")));
    });
  }

  it("refuses ATTACH, CREATE and a second statement on a named DuckDB database, opened read-only", async () => {
    const lake: ResolvedSqlSource[] = [{ name: "lake", kind: "duckdb", database: join(spec, "data", "lake.duckdb"), dir: spec }];
    await refused("ATTACH '../outside/other.duckdb' AS o", /ATTACH statements are refused/, "lake", lake);
    await refused("CREATE TABLE t AS SELECT 'abcdefghijklmnopqrstuv' AS id", /CREATE statements are refused/, "lake", lake);
    await refused("SELECT cookie FROM optouts; DELETE FROM optouts", /exactly one SELECT statement; it has 2 statements/, "lake", lake);
    const r = reader(lake);
    const { set } = await r.read({ kind: "sql", source: "lake", query: "SELECT cookie FROM optouts;", onInvalid: "error" }, "COOKIE", what);
    await r.close();
    assert.deepEqual(set.toArray(), ["defghijklmnopqrstuvwxy"]);
  });

  it("still reads the spec's folder (relative paths start there) and settings.allowedRoots", async () => {
    const before = tree(root);
    const r = reader();
    const query = `SELECT cookie FROM read_csv(['data/visits.csv', '${join(allowed, "more.csv")}'], header = true)`;
    const { set } = await r.read({ kind: "sql", query, onInvalid: "error" }, "COOKIE", what);
    await r.close();
    assert.deepEqual(set.toArray().sort(), ["abcdefghijklmnopqrstuv", "bcdefghijklmnopqrstuvw", "cdefghijklmnopqrstuvwx"]);
    assert.deepEqual(tree(root), before);
  });

  it("gives a query no environment: nothing the program holds is in reach", async () => {
    const r = reader();
    await assert.rejects(r.read({ kind: "sql", query: "SELECT getenv('HOME')", onInvalid: "skip" }, "COOKIE", what), /getenv does not exist/);
    await r.close();
  });

  describe("objects", () => {
    const csv = (file: string) => ({ kind: "csv", file, column: "cookie", delimiter: ",", onInvalid: "error" }) as const;
    // Nothing listens on port 9: a request that were made would fail differently.
    const url = "s3://exports/ids/a.csv?endpoint=http://127.0.0.1:9&s3ForcePathStyle=true";

    it("refuses an s3:// object outside the allowed roots before any request", async () => {
      const r = new SourceReader({ sources: [], dir: spec, config: () => undefined, env: {} });
      await assert.rejects(r.read(csv(url), "COOKIE", what), /^SourceError: audiences\.a\.members\.COOKIE \(csv s3:\/\/exports\/ids\/a\.csv\?.*, column cookie\): object is outside the s3:\/\/ entries of settings\.allowedRoots \(none\)/);
      const other = new SourceReader({ sources: [], dir: spec, allowedObjectRoots: ["s3://exports/other?endpoint=http://127.0.0.1:9&s3ForcePathStyle=true"], config: () => undefined, env: {} });
      await assert.rejects(other.read(csv(url), "COOKIE", what), /object is outside the s3:\/\/ entries of settings\.allowedRoots \(s3:\/\/exports\/other/);
      const elsewhere = new SourceReader({ sources: [], dir: spec, allowedObjectRoots: ["s3://exports/ids"], config: () => undefined, env: {} });
      await assert.rejects(elsewhere.read(csv(url), "COOKIE", what), /reached with other URL options/);
      await assert.rejects(elsewhere.read({ kind: "parquet", file: url, column: "maid", onInvalid: "error" }, "MAID", what), /object is under an s3:\/\/ entry of settings\.allowedRoots but reached with other URL options/);
    });

    it("refuses the snapshot store's own objects and files even under an allowed root", async () => {
      const r = new SourceReader({
        sources: [],
        dir: spec,
        allowedObjectRoots: ["s3://state?endpoint=http://127.0.0.1:9&s3ForcePathStyle=true"],
        snapshotStore: { scheme: "s3", bucket: "state", prefix: ".dsp-audiences/snapshots", client: {} },
        config: () => undefined,
        env: {},
      });
      await assert.rejects(r.read(csv("s3://state/.dsp-audiences/snapshots/x.csv?endpoint=http://127.0.0.1:9&s3ForcePathStyle=true"), "COOKIE", what), /object is inside the snapshot store; applied-set snapshots are never a member source/);
      const local = new SourceReader({ sources: [], dir: spec, snapshotStore: { scheme: "file", dir: join(spec, "data") }, config: () => undefined, env: {} });
      await assert.rejects(local.read(csv(join(spec, "data", "visits.csv")), "COOKIE", what), /visits\.csv is inside the snapshot store/);
      await assert.rejects(local.read({ kind: "files", files: [join(spec, "data", "visits.csv")] }, "COOKIE", what), /inside the snapshot store/);
    });
  });

  describe("PostgreSQL", () => {
    let pg: RunningPgServer;
    before(async () => {
      pg = await startPgServer();
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      await c.query("CREATE TABLE buyers (cookie text)");
      await c.query("INSERT INTO buyers VALUES ('abcdefghijklmnopqrstuv')");
      await c.end();
    });
    after(() => pg?.stop());
    const wh: ResolvedSqlSource[] = [{ name: "wh", kind: "postgres", connection: { config: "dsp:warehouseUrl" } }];
    const pgReader = (queryTimeoutMs?: number): SourceReader =>
      new SourceReader({ sources: wh, dir: spec, config: (key) => (key === "dsp:warehouseUrl" ? pg.url : undefined), env: {}, ...(queryTimeoutMs === undefined ? {} : { queryTimeoutMs }) });

    async function pgRefused(query: string, rule: RegExp, queryTimeoutMs?: number): Promise<void> {
      const r = pgReader(queryTimeoutMs);
      try {
        await assert.rejects(r.read({ kind: "sql", source: "wh", query, onInvalid: "skip" }, "COOKIE", what), (e: Error) => {
          assert.ok(e instanceof SourceError);
          assert.match(e.message, /^audiences\.a\.members\.COOKIE \(sql source wh\): /);
          assert.match(e.message, rule);
          assert.doesNotMatch(e.message, new RegExp(pg.password));
          return true;
        });
      } finally {
        await r.close();
      }
    }

    it("refuses a second statement, even one that ends the read-only transaction", async () => {
      const target = join(root, "pg-pwned");
      await pgRefused(`SELECT cookie FROM buyers; COPY (SELECT 1) TO '${target}'`, /the query must be exactly one SELECT statement \(SQL in a spec may only read\): cannot insert multiple commands into a prepared statement/);
      await pgRefused("SELECT cookie FROM buyers; COMMIT; DROP TABLE buyers", /exactly one SELECT statement .*multiple commands/);
      assert.ok(!existsSync(target));
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      assert.equal((await c.query("SELECT count(*)::int AS n FROM buyers")).rows[0].n, 1, "the table is still there");
      await c.end();
    });

    it("refuses statements that are not a query", async () => {
      await pgRefused(`COPY buyers TO '${join(root, "pg-copy")}'`, /exactly one SELECT statement .*syntax error at or near "COPY"/);
      await pgRefused("SET default_transaction_read_only = off", /exactly one SELECT statement .*syntax error/);
      await pgRefused("DELETE FROM buyers RETURNING cookie", /exactly one SELECT statement .*syntax error/);
      assert.ok(!existsSync(join(root, "pg-copy")));
    });

    it("cancels a statement that runs longer than settings.queryTimeoutSeconds", async () => {
      await pgRefused("SELECT cookie || pg_sleep(30)::text FROM buyers", /the query ran longer than settings\.queryTimeoutSeconds \(0\.05 s\) and was cancelled: canceling statement due to statement timeout/, 50);
    });

    it("still runs one SELECT, with or without a trailing semicolon", async () => {
      const r = pgReader();
      const { set } = await r.read({ kind: "sql", source: "wh", query: "SELECT cookie FROM buyers;", onInvalid: "error" }, "COOKIE", what);
      await r.close();
      assert.deepEqual(set.toArray(), ["abcdefghijklmnopqrstuv"]);
    });
  });
});
