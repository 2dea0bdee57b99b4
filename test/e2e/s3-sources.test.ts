/**
 * `s3://` CSV and Parquet sources through a real S3-compatible server (moto, scripts/s3-server.sh),
 * read by the same SourceReader the program uses. Never skipped: no server, the test fails.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { SourceReader } from "../../provider/sources";
import { startS3Server, type RunningS3Server } from "../support/s3-server";
import { cookieIds } from "../support/synthetic-ids";

describe("s3:// file sources (moto)", function () {
  this.timeout(15 * 60 * 1000);
  const ids = cookieIds(500, 71);
  let server: RunningS3Server;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const url = (key: string): string => `s3://sources/${key}?endpoint=${server.endpoint}&s3ForcePathStyle=true&region=us-east-1`;
  // The spec's settings.allowedRoots entry these objects are under.
  const newReader = (): SourceReader => new SourceReader({ sources: [], dir, allowedObjectRoots: [url("exports")], config: () => undefined, env: {} });

  before(async () => {
    server = await startS3Server();
    for (const [k, v] of Object.entries(server.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    dir = mkdtempSync(join(tmpdir(), "dsp-s3src-"));
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(`COPY (SELECT unnest(${"[" + ids.map((i) => `'${i}'`).join(",") + "]"}) AS cookie) TO '${join(dir, "ids.parquet")}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const s3 = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    await s3.send(new CreateBucketCommand({ Bucket: "sources" }));
    await s3.send(new PutObjectCommand({ Bucket: "sources", Key: "exports/ids.parquet", Body: readFileSync(join(dir, "ids.parquet")) }));
    await s3.send(new PutObjectCommand({ Bucket: "sources", Key: "exports/ids.csv", Body: ["n,cookie", ...ids.map((id, i) => `${i},${id}`)].join("\n") + "\n" }));
    s3.destroy();
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  it("streams a CSV column and reads a Parquet column from objects", async () => {
    const reader = newReader();
    const csv = await reader.read({ kind: "csv", file: url("exports/ids.csv"), column: "cookie", delimiter: ",", onInvalid: "error" }, "COOKIE", "c");
    const parquet = await reader.read({ kind: "parquet", file: url("exports/ids.parquet"), column: "cookie", onInvalid: "error" }, "COOKIE", "p");
    await reader.close();
    assert.deepEqual(csv.set.toArray().sort(), [...ids].sort());
    assert.deepEqual(parquet.set.toArray().sort(), [...ids].sort());
  });

  it("names the source when the object is missing", async () => {
    const reader = newReader();
    await assert.rejects(reader.read({ kind: "csv", file: url("exports/nope.csv"), column: "cookie", delimiter: ",", onInvalid: "error" }, "COOKIE", "suppress.COOKIE"), /^SourceError: suppress\.COOKIE \(csv s3:\/\/sources\/exports\/nope\.csv.*\): object not found$/);
    await reader.close();
  });
});
