/**
 * A spec is data (docs/security.md), through the real CLI: a preview of every source kind (inline,
 * ID file, CSV, Parquet, records CSV, SQL on the built-in DuckDB, on a DuckDB database and on
 * PostgreSQL, csv: and parquet: objects on an S3 server) changes no file in the spec's folder, the
 * program's folder, HOME or the temporary folder; and every escape is refused by the preview with
 * one clean error naming the audience, the source and the rule, with nothing written.
 * Real servers: PostgreSQL (scripts/pg-server.sh), S3 (scripts/s3-server.sh), the DSP simulator.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { Client } from "pg";
import { startPgServer, type RunningPgServer } from "../support/pg-server";
import { startS3Server, type RunningS3Server } from "../support/s3-server";
import { startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles, type Spec } from "../support/spec-files";
import { cookieIds, maidIds } from "../support/synthetic-ids";
import { personCsvLine, syntheticPeople, TEMPLATE_HEADER } from "../support/synthetic-people";

const REPO = path.join(__dirname, "..", "..");

/** Every path under `root` with its size and modification time (links as links, not followed); `skip` names top-level entries left out. */
function tree(root: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (dir === root && skip.includes(entry.name)) continue;
      if (entry.isSymbolicLink()) {
        out.push(`${path.relative(root, full)} -> ${fs.readlinkSync(full)}`);
        continue;
      }
      const stat = fs.statSync(full);
      out.push(`${path.relative(root, full)} ${entry.isDirectory() ? "dir" : `${stat.size} ${stat.mtimeMs}`}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out.sort();
}

describe("a spec is data: a preview reads only what the spec may read and writes only snapshots (real CLI)", function () {
  this.timeout(30 * 60 * 1000);
  const cookies = cookieIds(120, 2201);
  const maids = maidIds(60, 2202);
  let pg: RunningPgServer;
  let s3: RunningS3Server;
  let env: SimulatedStack;
  let base: string;
  let home: string;
  let temp: string;
  let specDir: string;
  let escapesDir: string;
  const objectUrl = (key: string): string => `s3://exports/${key}?endpoint=${s3.endpoint}&s3ForcePathStyle=true&region=us-east-1`;

  /** The trees a preview must leave as they were. */
  const trees = (): Record<string, string[]> => ({
    spec: tree(specDir),
    escapes: tree(escapesDir),
    program: tree(REPO, [".git", "node_modules"]),
    home: tree(home),
    temp: tree(temp),
  });

  before(async function () {
    pg = await startPgServer();
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    await db.query("CREATE TABLE buyers (cookie text NOT NULL)");
    await db.query("INSERT INTO buyers SELECT unnest($1::text[])", [cookies.slice(80, 100)]);
    await db.end();

    s3 = await startS3Server();
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    await client.send(new CreateBucketCommand({ Bucket: "exports" }));
    await client.send(new PutObjectCommand({ Bucket: "exports", Key: "audiences/cookies.csv", Body: ["cookie", ...cookies.slice(100, 110)].join("\n") + "\n" }));
    await client.send(new PutObjectCommand({ Bucket: "exports", Key: "other/cookies.csv", Body: ["cookie", ...cookies.slice(110, 120)].join("\n") + "\n" }));

    // HOME and the temporary folder of the CLI, the program and the providers: fresh, so that they can be listed.
    base = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-spec-data-"));
    home = path.join(base, "home");
    temp = path.join(base, "tmp");
    fs.mkdirSync(home);
    fs.mkdirSync(temp);
    env = await startSimulatedStack("", "spec-data", { env: { ...s3.env, HOME: home, TMPDIR: temp } });
    specDir = path.join(env.work, "spec");
    escapesDir = path.join(env.work, "escapes");
    const spec: Spec = {
      version: 1,
      defaults: { advertiserId: "9223372036854775002", dataSourceCountry: ["US"] },
      settings: { allowedRoots: [`s3://exports/audiences?endpoint=${s3.endpoint}&s3ForcePathStyle=true&region=us-east-1`] },
      sources: { lake: { duckdb: { database: "data/lake.duckdb" } }, warehouse: { postgres: { connectionConfig: "dsp:warehouseUrl" } } },
      records: { customers: { csv: "customers.csv", externalIdSecretConfig: "dsp-audiences:externalIdKey", minRows: 1 } },
      audiences: {
        inline: { name: "Inline list audience", members: { COOKIE: cookies.slice(0, 10) } },
        "id-file": { name: "ID file audience", members: { COOKIE: { file: "ids/cookies.txt" } } },
        csv: { name: "CSV column audience", members: { COOKIE: { csv: { file: "data/visits.csv", column: "cookie" } } } },
        parquet: { name: "Parquet column audience", members: { MAID: { parquet: { file: "data/maids.parquet", column: "maid" } } } },
        "built-in-sql": { name: "Built-in DuckDB audience", members: { COOKIE: { sql: { query: "SELECT cookie FROM read_csv('data/visits.csv', header = true) WHERE active" } } } },
        "duckdb-sql": { name: "DuckDB database audience", members: { COOKIE: { sql: { source: "lake", query: "SELECT cookie FROM buyers" } } } },
        "postgres-sql": { name: "PostgreSQL audience", members: { COOKIE: { sql: { source: "warehouse", query: "SELECT cookie FROM buyers" } } } },
        "object-csv": { name: "S3 CSV object audience", members: { COOKIE: { csv: { file: objectUrl("audiences/cookies.csv"), column: "cookie" } } } },
        "object-parquet": { name: "S3 Parquet object audience", members: { MAID: { parquet: { file: objectUrl("audiences/maids.parquet"), column: "maid" } } } },
        records: { name: "Records upload audience", members: { EXTERNAL_USER_ID: { records: "customers" } } },
      },
    };
    // The Parquet file (also uploaded as an object) and the database are written by DuckDB, like a warehouse export.
    fs.mkdirSync(path.join(specDir, "data"), { recursive: true });
    const duck = await DuckDBInstance.create(path.join(specDir, "data", "lake.duckdb"));
    const c = await duck.connect();
    await c.run(`CREATE TABLE buyers AS SELECT unnest([${cookies.slice(40, 60).map((x) => `'${x}'`).join(", ")}]) AS cookie`);
    await c.run(`COPY (SELECT unnest([${maids.map((m) => `'${m}'`).join(", ")}]) AS maid) TO '${path.join(specDir, "data", "maids.parquet")}' (FORMAT parquet)`);
    c.closeSync();
    duck.closeSync();
    await client.send(new PutObjectCommand({ Bucket: "exports", Key: "audiences/maids.parquet", Body: fs.readFileSync(path.join(specDir, "data", "maids.parquet")) }));
    client.destroy();
    writeSpecFiles(specDir, spec, {
      "ids/cookies.txt": cookies.slice(10, 20),
      "data/visits.csv": ["cookie,active", ...cookies.slice(20, 40).map((c, i) => `${c},${i % 2 === 0}`)].join("\n") + "\n",
      "customers.csv": `${TEMPLATE_HEADER}\n${syntheticPeople(5, 22).map(personCsvLine).join("\n")}\n`,
    });
    fs.mkdirSync(escapesDir);

    await env.run((s) => s.setConfig("dsp:spec", path.join(specDir, "audiences.yaml")));
    await env.run((s) => s.setConfig("dsp:warehouseUrl", pg.url, true));
    await env.run((s) => s.setConfig("dsp-audiences:externalIdKey", "spec-is-data-key-0123456789abcdef", true));
  });

  after(async function () {
    await env?.close();
    await pg?.stop();
    await s3?.stop();
    if (base !== undefined) fs.rmSync(base, { recursive: true, force: true });
  });

  const preview = () => env.run((s) => s.preview());

  it("previews every source kind and changes no file in the spec folder, the program folder, HOME or the temporary folder", async function () {
    const before = trees();
    const r = await preview();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const [key, type, count] of [
      ["inline", "COOKIE", 10],
      ["id-file", "COOKIE", 10],
      ["csv", "COOKIE", 20],
      ["parquet", "MAID", 60],
      ["built-in-sql", "COOKIE", 10],
      ["duckdb-sql", "COOKIE", 20],
      ["postgres-sql", "COOKIE", 20],
      ["object-csv", "COOKIE", 10],
      ["object-parquet", "MAID", 60],
    ] as const) {
      assert.match(r.stdout, new RegExp(`${key} ${type}: \\+${count} −0 IDs`), `${key}\n${r.stdout}`);
    }
    assert.deepEqual(trees(), before);
  });

  it("refuses every escape through pulumi preview, one clean error each, and writes nothing", async function () {
    const target = path.join(env.work, "pwned");
    const sql = (query: string, source?: string) => ({ COOKIE: { sql: { ...(source === undefined ? {} : { source }), query, onInvalid: "skip" as const } } });
    const escapes: Spec = {
      version: 1,
      defaults: { advertiserId: "9223372036854775002", dataSourceCountry: ["US"] },
      sources: { warehouse: { postgres: { connectionConfig: "dsp:warehouseUrl" } } },
      audiences: {
        passwd: { name: "Reads /etc/passwd", members: sql("SELECT CAST(line AS VARCHAR) AS id FROM (SELECT unnest(string_split(content, chr(10))) AS line FROM read_text('/etc/passwd'))") },
        "second-statement": { name: "Writes a file in preview", members: sql(`SELECT 'abcdefghijklmnopqrstuv' AS id) ; COPY (SELECT 'pwned') TO '${target}' ; SELECT * FROM (SELECT 'abcdefghijklmnopqrstuv' AS id`) },
        attach: { name: "Attaches a database", members: sql(`ATTACH '${path.join(specDir, "data", "lake.duckdb")}' AS lake`) },
        install: { name: "Installs an extension", members: sql("INSTALL httpfs") },
        load: { name: "Loads an extension", members: sql("LOAD httpfs") },
        set: { name: "Changes a setting", members: sql("SET enable_external_access = true") },
        pragma: { name: "Runs a pragma", members: sql("PRAGMA show_tables") },
        create: { name: "Creates a table", members: sql("CREATE TABLE t AS SELECT 'abcdefghijklmnopqrstuv' AS id") },
        export: { name: "Exports the database", members: sql(`EXPORT DATABASE '${target}'`) },
        "object-in-sql": { name: "Reads a bucket inside SQL", members: sql(`SELECT cookie FROM read_csv('${objectUrl("other/cookies.csv")}')`) },
        "postgres-second-statement": { name: "Ends the read-only transaction", members: sql("SELECT cookie FROM buyers; COMMIT; DROP TABLE buyers", "warehouse") },
      },
    };
    const specFile = writeSpecFiles(escapesDir, escapes);
    await env.run((s) => s.setConfig("dsp:spec", specFile));
    try {
      const before = trees();
      const r = await preview();
      assert.notEqual(r.code, 0);
      const all = r.stdout + r.stderr;
      const rule = "\\(SQL in a spec may only read\\)";
      const builtIn = (key: string) => `audiences\\.${key}\\.members\\.COOKIE \\(sql source \\(built-in DuckDB\\)\\): `;
      const expected = [
        `${builtIn("passwd")}may not read "/etc/passwd": a query reads only files in the spec folder and settings\\.allowedRoots`,
        `${builtIn("second-statement")}is not valid SQL \\(a query must be exactly one SELECT statement\\): syntax error at or near "\\)"`,
        ...["attach", "install", "load", "set", "pragma", "create", "export"].map((k) => `${builtIn(k)}the query must be a SELECT statement; ${k.toUpperCase()} statements are refused ${rule}`),
        `${builtIn("object-in-sql")}may not read "s3://exports/other/cookies\\.csv[^"]*": a query reads local files only`,
        `audiences\\.postgres-second-statement\\.members\\.COOKIE \\(sql source warehouse\\): the query must be exactly one SELECT statement ${rule}: cannot insert multiple commands into a prepared statement`,
      ];
      // Pulumi prints each diagnostic in the progress view and again under "Diagnostics:"; the latter once each.
      const diagnostics = r.stdout.slice(r.stdout.indexOf("Diagnostics:"));
      for (const line of expected) assert.equal((diagnostics.match(new RegExp(`error: ${line}`, "g")) ?? []).length, 1, `once: ${line}\n${all}`);
      assert.equal((diagnostics.match(/\n\s+error: /g) ?? []).length, expected.length + 1, "one error per escape, and the summary");
      assert.match(all, /stopped by 11 input errors \(above\); nothing was changed/);
      assert.doesNotMatch(all, /\n\s+at /, "no stack trace");
      assert.ok(!fs.existsSync(target), "the COPY and EXPORT targets were not written");
      assert.deepEqual(trees(), before);

      // An object outside the allowed prefixes stops the spec itself, before any source is read.
      const objectSpec: Spec = {
        version: 1,
        defaults: { advertiserId: "9223372036854775002", dataSourceCountry: ["US"] },
        audiences: { "any-bucket": { name: "Reads any bucket", members: { COOKIE: { csv: { file: objectUrl("other/cookies.csv"), column: "cookie" } } } } },
      };
      await env.run((s) => s.setConfig("dsp:spec", writeSpecFiles(path.join(escapesDir, "object"), objectSpec)));
      const o = await preview();
      assert.notEqual(o.code, 0);
      assert.match(o.stdout + o.stderr, /error: .*audiences\.yaml:\d+:\d+: audiences\.any-bucket\.members\.COOKIE\.csv\.file: object s3:\/\/exports\/other\/cookies\.csv\S* is outside the s3:\/\/ entries of settings\.allowedRoots \(none\)/);
      assert.doesNotMatch(o.stdout + o.stderr, /\n\s+at /);
    } finally {
      await env.run((s) => s.setConfig("dsp:spec", path.join(specDir, "audiences.yaml")));
    }
  });
});
