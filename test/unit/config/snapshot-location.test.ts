import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FileSnapshotStore, S3SnapshotStore, type SnapshotStore } from "../../../provider/snapshots";
import type { ConfigLookup } from "../../../provider/config/dsp-settings";
import {
  backendUrlFor,
  describeSnapshotLocation,
  LOCATIONS_KEPT,
  openSnapshotStore,
  parseSnapshotUrl,
  resolveSnapshotLocation,
  SnapshotStoreUnsupportedError,
} from "../../../provider/config/snapshot-location";

const config = (values: Record<string, string>): ConfigLookup => (key) => values[key];
const MOTO = "s3://state-bucket/team-a?endpoint=http://127.0.0.1:4566&s3ForcePathStyle=true&region=us-east-1";

describe("snapshot location", () => {
  it("puts snapshots in the backend's bucket, under the backend's prefix, beside Pulumi's .pulumi/", () => {
    const r = resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: MOTO });
    assert.deepEqual(r, {
      location: {
        scheme: "s3",
        bucket: "state-bucket",
        prefix: "team-a/.dsp-audiences/snapshots",
        client: { endpoint: "http://127.0.0.1:4566", forcePathStyle: true, region: "us-east-1" },
      },
      followsBackend: true,
      source: "backend",
    });
    assert.equal(describeSnapshotLocation(r.location), "s3://state-bucket/team-a/.dsp-audiences/snapshots (at http://127.0.0.1:4566)");
    const root = resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: "s3://b-1" });
    assert.deepEqual(root.location, { scheme: "s3", bucket: "b-1", prefix: ".dsp-audiences/snapshots", client: {} });
  });

  it("keeps snapshots beside a file backend where they were before (same folder as resolveSnapshotDir)", () => {
    const r = resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: "file:///srv/state" });
    assert.deepEqual(r.location, { scheme: "file", dir: "/srv/state/.dsp-audiences/snapshots" });
    assert.deepEqual(resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: "file://rel/state?no_tmp_dir=true" }).location, {
      scheme: "file",
      dir: "/prog/rel/state/.dsp-audiences/snapshots",
    });
    assert.deepEqual(resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: "file://~/.dsp-state" }).location, {
      scheme: "file",
      dir: path.join(os.homedir(), ".dsp-state", ".dsp-audiences", "snapshots"),
    });
  });

  it("lets dsp:snapshotStore (then DSP_SNAPSHOT_STORE) name the store itself, ahead of dsp:snapshotDir and the backend", () => {
    const env = { PULUMI_BACKEND_URL: MOTO, DSP_SNAPSHOT_STORE: "file:///from-env" };
    const fromConfig = resolveSnapshotLocation(config({ "dsp:snapshotStore": "s3://snaps/prod?region=eu-west-1", "dsp:snapshotDir": "x" }), "/prog", env);
    assert.deepEqual(fromConfig, {
      location: { scheme: "s3", bucket: "snaps", prefix: "prod", client: { region: "eu-west-1" } },
      followsBackend: true,
      source: "dsp:snapshotStore",
    });
    assert.deepEqual(resolveSnapshotLocation(config({}), "/prog", env).location, { scheme: "file", dir: "/from-env" });
    assert.deepEqual(resolveSnapshotLocation(config({ "dsp:snapshotDir": "snaps" }), "/prog", { PULUMI_BACKEND_URL: MOTO }), {
      location: { scheme: "file", dir: "/prog/snaps" },
      followsBackend: true,
      source: "dsp:snapshotDir",
    });
  });

  it("falls back to the program folder, flagged as not following the backend, for Pulumi Cloud", () => {
    assert.deepEqual(resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: "https://api.pulumi.com", PULUMI_HOME: "/nonexistent" }), {
      location: { scheme: "file", dir: "/prog/.dsp-audiences/snapshots" },
      followsBackend: false,
      source: "program folder",
    });
  });

  it("finds the backend as the CLI does: PULUMI_BACKEND_URL, then backend.url in Pulumi.yaml, then the login", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snaploc-"));
    try {
      const home = path.join(dir, "home");
      fs.mkdirSync(home);
      fs.writeFileSync(path.join(home, "credentials.json"), JSON.stringify({ current: "s3://from-login" }));
      assert.equal(backendUrlFor(dir, { PULUMI_HOME: home }), "s3://from-login");
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\nbackend:\n  url: s3://from-project\n");
      assert.equal(backendUrlFor(dir, { PULUMI_HOME: home }), "s3://from-project");
      assert.equal(backendUrlFor(dir, { PULUMI_HOME: home, PULUMI_BACKEND_URL: "s3://from-env" }), "s3://from-env");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads every s3:// option the Pulumi CLI documents, and refuses what it cannot honour", () => {
    const loc = parseSnapshotUrl(
      "s3://b-1/a//b/?region=r&endpoint=https://e&use_path_style=1&profile=p&dualstack=true&fips=false&accelerate=true" +
        "&request_checksum_calculation=when_required&response_checksum_validation=WHEN_SUPPORTED&awssdk=v2",
      "/",
    );
    assert.deepEqual(loc, {
      scheme: "s3",
      bucket: "b-1",
      prefix: "a/b",
      client: {
        region: "r",
        endpoint: "https://e",
        forcePathStyle: true,
        profile: "p",
        useDualstackEndpoint: true,
        useFipsEndpoint: false,
        useAccelerateEndpoint: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_SUPPORTED",
      },
    });
    assert.throws(() => parseSnapshotUrl("s3://b-1?role=arn:aws:iam::1:role/x", "/"), /role= option is not supported yet/);
    assert.throws(() => parseSnapshotUrl("s3://b-1?colour=blue", "/"), /unknown query parameter "colour"/);
    assert.throws(() => parseSnapshotUrl("s3://b-1?s3ForcePathStyle=maybe", "/"), /s3ForcePathStyle=maybe is not a boolean/);
  });

  it("says clearly that gs:// and azblob:// are not supported yet, and what to use instead", () => {
    for (const [backend, pattern] of [
      ["gs://state/prefix", /Google Cloud Storage \(gs:\/\/\) is not supported yet as a snapshot store\. Set dsp:snapshotStore to an s3:\/\/ URL/],
      ["azblob://container", /Azure Blob Storage \(azblob:\/\/\) is not supported yet as a snapshot store\. Set dsp:snapshotStore/],
    ] as const) {
      assert.throws(() => resolveSnapshotLocation(config({}), "/prog", { PULUMI_BACKEND_URL: backend }), (e: unknown) => e instanceof SnapshotStoreUnsupportedError && pattern.test(e.message));
      // An explicit store makes such a backend usable.
      assert.equal(resolveSnapshotLocation(config({ "dsp:snapshotStore": "file:///shared" }), "/prog", { PULUMI_BACKEND_URL: backend }).source, "dsp:snapshotStore");
    }
    assert.throws(() => parseSnapshotUrl("ftp://x/y", "/"), /not a snapshot store URL; use file:\/\/<folder> or s3:\/\//);
  });

  it("opens one store per location, by scheme", () => {
    const file = openSnapshotStore({ scheme: "file", dir: "/tmp/x" });
    assert.ok(file instanceof FileSnapshotStore);
    assert.equal(openSnapshotStore({ scheme: "file", dir: "/tmp/x" }), file, "cached");
    const s3 = openSnapshotStore({ scheme: "s3", bucket: "b-1", prefix: "p/.dsp-audiences/snapshots", client: { region: "us-east-1" } });
    assert.ok(s3 instanceof S3SnapshotStore);
    assert.equal(s3.location, "s3://b-1/p/.dsp-audiences/snapshots");
    assert.equal((s3 as S3SnapshotStore).keyOf("ab".repeat(32)), `p/.dsp-audiences/snapshots/ab/${"ab".repeat(32)}.ids.zst`);
  });

  it("keeps the most recently opened stores only, however many locations a process opens", () => {
    const at = (i: number): SnapshotStore => openSnapshotStore({ scheme: "file", dir: `/tmp/dsp-bound-${i}` });
    const first = at(0);
    for (let i = 1; i < LOCATIONS_KEPT; i++) at(i);
    assert.equal(at(0), first, "still kept: one of the last LOCATIONS_KEPT");
    for (let i = 1; i <= 100; i++) at(1000 + i);
    assert.notEqual(at(0), first, "dropped after LOCATIONS_KEPT other locations, opened again");
    assert.equal(at(1100), at(1100));
  });

  it("loads the AWS SDK (~1.5 s) only when an S3 store makes its first request", function () {
    this.timeout(60_000);
    const script = `
      require("ts-node").register({ transpileOnly: true });
      const { openSnapshotStore } = require("./provider/config/snapshot-location");
      const loaded = () => Object.keys(require.cache).some((k) => k.includes("@aws-sdk/client-s3"));
      openSnapshotStore({ scheme: "file", dir: "/tmp/x" });
      const s3 = openSnapshotStore({ scheme: "s3", bucket: "b-1", prefix: "", client: { region: "us-east-1" } });
      const before = loaded();
      s3.has("ab".repeat(32)).catch(() => undefined).finally(() => { console.log(JSON.stringify([before, loaded()])); process.exit(0); });`;
    const out = execFileSync(process.execPath, ["-e", script], {
      cwd: path.join(__dirname, "..", "..", ".."),
      // Nowhere to connect to: the request fails fast, after the SDK has loaded.
      env: { ...process.env, AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "x", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" },
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(out.trim().split("\n").pop() ?? ""), [false, true]);
  });
});
