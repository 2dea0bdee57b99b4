/**
 * A spec that needs an optional package the project has not installed: every loader (DuckDB,
 * PostgreSQL, the S3 SDK for s3:// sources and S3 snapshot stores) stops with the message that
 * names the package and the feature. The packages are hidden from module resolution in a child
 * process, as they are absent from a user's lean install (test/e2e/consumer.test.ts installs one).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const HIDDEN = ["@duckdb/node-api", "pg", "@aws-sdk/client-s3"];

/** Runs `body` (an async function body with `SourceReader` and `openSnapshotStore` in scope) where HIDDEN cannot be resolved; its result as JSON. */
function withoutPackages(body: string): unknown {
  const script = `
    require("ts-node").register({ transpileOnly: true });
    const Module = require("node:module");
    const resolve = Module._resolveFilename;
    const hidden = new Set(${JSON.stringify(HIDDEN)});
    Module._resolveFilename = function (request, ...rest) {
      if (hidden.has(request)) throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: "MODULE_NOT_FOUND" });
      return resolve.call(this, request, ...rest);
    };
    const { SourceReader } = require("./provider/sources");
    const { openSnapshotStore } = require("./provider/config/snapshot-location");
    (async () => { ${body} })().then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop() ?? "");
}

describe("sources: an optional package that is not installed", function () {
  this.timeout(120_000);

  it("names the package and the source that needs it, after the source's label", function () {
    const messages = withoutPackages(`
      const reader = new SourceReader({
        sources: [{ name: "warehouse", kind: "duckdb", dir: "/tmp" }, { name: "crm", kind: "postgres", connection: { env: "CRM_URL" } }],
        dir: "/tmp",
        config: () => undefined,
        env: { CRM_URL: "postgres://u:secret-pw@127.0.0.1:9/db" },
        allowedObjectRoots: ["s3://bucket/"],
      });
      const sources = [
        { kind: "sql", source: "warehouse", query: "SELECT 1", onInvalid: "error" },
        { kind: "sql", query: "SELECT 1", onInvalid: "error" },
        { kind: "parquet", file: "/tmp/ids.parquet", column: "maid", onInvalid: "error" },
        { kind: "sql", source: "crm", query: "SELECT 1", onInvalid: "error" },
        { kind: "csv", file: "s3://bucket/ids.csv", column: "id", delimiter: ",", onInvalid: "error" },
      ];
      const messages = [];
      for (const source of sources) {
        try { await reader.read(source, "COOKIE", "audiences.vip.members.COOKIE"); messages.push("read"); }
        catch (e) { messages.push(e.name + ": " + e.message); }
      }
      await reader.close();
      return messages;`);
    const install = (pkg: string): string => `needs the optional package ${pkg}: run \`npm install ${pkg}\``;
    assert.deepEqual(messages, [
      `SourceError: audiences.vip.members.COOKIE (sql source warehouse): SQL source warehouse ${install("@duckdb/node-api")}`,
      `SourceError: audiences.vip.members.COOKIE (sql source (built-in DuckDB)): a parquet: or sql: source ${install("@duckdb/node-api")}`,
      `SourceError: audiences.vip.members.COOKIE (parquet /tmp/ids.parquet, column maid): a parquet: or sql: source ${install("@duckdb/node-api")}`,
      `SourceError: audiences.vip.members.COOKIE (sql source crm): SQL source crm ${install("pg")}`,
      `SourceError: audiences.vip.members.COOKIE (csv s3://bucket/ids.csv, column id): an s3:// source ${install("@aws-sdk/client-s3")}`,
    ]);
  });

  it("names the package and the snapshot store when snapshots live in S3", function () {
    const message = withoutPackages(`
      const store = openSnapshotStore({ scheme: "s3", bucket: "snaps", prefix: "prod/.dsp-audiences/snapshots", client: {} });
      try { await store.has("ab".repeat(32)); return "read"; } catch (e) { return e.name + ": " + e.message; }`);
    assert.equal(message, "MissingPackageError: the snapshot store s3://snaps/prod/.dsp-audiences/snapshots needs the optional package @aws-sdk/client-s3: run `npm install @aws-sdk/client-s3`");
  });
});
