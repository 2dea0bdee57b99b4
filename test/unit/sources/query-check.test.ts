/**
 * `dsp-audiences validate` with DuckDB's parser: the escapes it can tell from the text alone,
 * one error per query at its line, nothing run.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateSpecCommand } from "../../../provider/spec";
import { checkDuckDbQueries } from "../../../provider/sources/query-check";

describe("validate: SQL statements and s3:// objects", function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dsp-validate-sql-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function validate(lines: string[]): Promise<{ code: number; out: string[] }> {
    const path = join(dir, "audiences.yaml");
    await writeFile(path, ["version: 1", 'defaults: { advertiserId: "5840142710901", dataSourceCountry: [US] }', ...lines, ""].join("\n"));
    const out: string[] = [];
    const code = await validateSpecCommand(path, (line) => out.push(line.replace(path, "").replace(/^:/, "")), { checkQueries: checkDuckDbQueries });
    return { code, out };
  }
  const audience = (key: string, members: string): string[] => [`  ${key}:`, `    name: Audience ${key} of the test`, "    members:", `      ${members}`];

  it("names each query that is not exactly one SELECT, at its line, without running it", async () => {
    const target = join(dir, "pwned");
    const { code, out } = await validate([
      "sources:",
      "  lake: { duckdb: {} }",
      "  wh: { postgres: { connectionEnv: WH_URL } }",
      "audiences:",
      ...audience("two", `COOKIE: { sql: { query: "SELECT 'abcdefghijklmnopqrstuv' AS id; COPY (SELECT 'pwned') TO '${target}'" } }`),
      ...audience("copy", `COOKIE: { sql: { source: lake, query: "COPY (SELECT 1) TO '${target}'" } }`),
      ...audience("pragma", 'COOKIE: { sql: { query: "PRAGMA show_tables" } }'),
      ...audience("fine", "COOKIE: { sql: { query: \"SELECT 'abcdefghijklmnopqrstuv' AS id;\" } }"),
      ...audience("postgres", 'COOKIE: { sql: { source: wh, query: "SELECT 1; DROP TABLE x" } }'),
    ]);
    assert.equal(code, 1);
    assert.deepEqual(out, [
      "10:31: audiences.two.members.COOKIE.sql.query: the query must be exactly one SELECT statement; it has 2 statements (SQL in a spec may only read)",
      "14:45: audiences.copy.members.COOKIE.sql.query: the query must be a SELECT statement; COPY statements are refused (SQL in a spec may only read)",
      "18:31: audiences.pragma.members.COOKIE.sql.query: the query must be a SELECT statement; PRAGMA statements are refused (SQL in a spec may only read)",
      "✗ : 3 errors",
    ]);
    assert.ok(!existsSync(target));
  });

  it("names an s3:// object outside the allowed roots, and accepts one inside", async () => {
    const refused = await validate(["audiences:", ...audience("a", 'MAID: { csv: { file: "s3://someone-elses-bucket/people.csv", column: maid } }')]);
    assert.deepEqual(refused.out, [
      "7:28: audiences.a.members.MAID.csv.file: object s3://someone-elses-bucket/people.csv is outside the s3:// entries of settings.allowedRoots (none); add its bucket and prefix there to allow it",
      "✗ : 1 error",
    ]);
    const allowed = await validate(["settings: { allowedRoots: [s3://exports/audiences] }", "audiences:", ...audience("a", 'MAID: { parquet: { file: "s3://exports/audiences/app.parquet", column: maid } }')]);
    assert.equal(allowed.code, 0, allowed.out.join("\n"));
  });
});
