/**
 * Applied-set snapshots that follow an object-store backend: a real S3-compatible server (moto,
 * installed by scripts/s3-server.sh) holds both the Pulumi state and the snapshots. `up` runs in
 * one working copy; `preview` in a fresh clone with its own PULUMI_HOME, which has only what git
 * and the bucket give it, must produce the same plan. The clones hold HEAD: commit before running
 * this locally. If the server cannot be installed, this fails; it is never skipped.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ensurePulumiEngine, PulumiStack, type PulumiResult } from "../../tools/pulumi-cli";
import { parsePreviewJson } from "../../provider/gitops/preview-json";
import { summarisePreview, type PlanSummary } from "../../provider/gitops/plan-summary";
import { renderPlanMarkdown } from "../../provider/gitops/render-markdown";
import { idSetFrom } from "../../provider/plan";
import { putNearBase, S3SnapshotStore, SNAPSHOT_RECOVERY_HINT, SnapshotCorruptError, SnapshotMissingError } from "../../provider/snapshots";
import { startSimulator, type RunningSimulator } from "../../simulator";
import { specFiles as specFilesOf } from "../support/spec-files";
import { startS3Server, type RunningS3Server } from "../support/s3-server";
import { cookieIds, maidIds } from "../support/synthetic-ids";
import { cloneInto, cloneThisRepository, type WorkingCopy } from "../support/working-copy";
import { scenario } from "../support/checkpoints";

const BUCKET = "dsp-state";
const PREFIX = "team-a";
const SNAPSHOTS = `${PREFIX}/.dsp-audiences/snapshots/`;

async function listKeys(s3: S3Client, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? "").sort();
}

/** The provider's plan lines (`alpha COOKIE: +N −M IDs (K unchanged)`) in a preview's JSON, sorted. */
function planLines(r: PulumiResult): string[] {
  return parsePreviewJson(r.stdout)
    .diagnostics.map((d) => d.message.trim())
    .filter((m) => /^\S+ (COOKIE|MAID|EXTERNAL_USER_ID): \+/.test(m))
    .sort();
}

describe("snapshots in an S3-compatible bucket beside the Pulumi state (moto + real CLI)", function () {
  this.timeout(20 * 60 * 1000);
  let s3server: RunningS3Server;
  let s3: S3Client;
  let sim: RunningSimulator;
  let work: string;
  let binDir: string;

  before(async function () {
    // As the store does: this test's own S3 client would otherwise print the SDK's Node 22 notice.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    s3server = await startS3Server();
    s3 = new S3Client({ endpoint: s3server.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    binDir = await ensurePulumiEngine();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-objstore-"));
  });

  after(async function () {
    s3?.destroy();
    await sim?.stop();
    await s3server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  describe("S3SnapshotStore", function () {
    let store: S3SnapshotStore;
    const set = idSetFrom(cookieIds(5000, 31));
    before(function () {
      store = new S3SnapshotStore({ bucket: BUCKET, prefix: "unit/snaps", client: { endpoint: s3server.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } } });
    });
    after(() => store.close());

    it("stores a set once under its digest and reads it back verified", async function () {
      const digest = await store.put(set);
      assert.deepEqual(await listKeys(s3, "unit/"), [`unit/snaps/${digest.slice(0, 2)}/${digest}.ids.zst`]);
      assert.equal(await store.has(digest), true);
      const back = await store.get(digest);
      assert.equal(back.size, 5000);
      assert.ok(back.bytes.equals(set.bytes));
      assert.equal(await store.put(set), digest, "a set already stored is not written again");
    });

    it("reports a missing snapshot with its s3:// URL and the recovery hint", async function () {
      const digest = "0".repeat(64);
      assert.equal(await store.has(digest), false);
      await assert.rejects(store.get(digest), (e: unknown) => {
        assert.ok(e instanceof SnapshotMissingError);
        assert.match(e.message, new RegExp(`not found at s3://${BUCKET}/unit/snaps/00/0{64}\\.ids\\.zst\\. `));
        assert.ok(e.message.includes(SNAPSHOT_RECOVERY_HINT));
        return true;
      });
    });

    it("refuses a corrupt object and moves it aside, so a good copy can be written again", async function () {
      const digest = await store.put(set);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: store.keyOf(digest), Body: Buffer.from("not gzip at all") }));
      await assert.rejects(store.get(digest), (e: unknown) => {
        assert.ok(e instanceof SnapshotCorruptError);
        assert.match(e.message, /is corrupt: compressed data is damaged or truncated .*; moved aside to s3:\/\/dsp-state\/unit\/snaps\/.*\.ids\.zst\.corrupt/);
        return true;
      });
      assert.equal(await store.has(digest), false);
      await store.put(set);
      assert.equal((await store.get(digest)).size, 5000);
    });

    it("stores a small change as a delta object beside its base and reads it back whole", async function () {
      const base = idSetFrom(cookieIds(2000, 41));
      const next = idSetFrom([...base].slice(20).concat(cookieIds(30, 42)));
      const baseDigest = await store.put(base);
      assert.equal((await putNearBase(store, base, undefined)).written, "stored");
      const put = await putNearBase(store, next, baseDigest);
      assert.equal(put.written, "delta");
      const keys = await listKeys(s3, `unit/snaps/${put.digest.slice(0, 2)}/${put.digest}`);
      assert.deepEqual(keys, [`unit/snaps/${put.digest.slice(0, 2)}/${put.digest}.delta.zst`]);
      assert.equal(await store.has(put.digest), true);
      assert.equal(await store.depthOf(put.digest), 1);
      assert.equal((await store.getDelta(put.digest))?.baseDigest, baseDigest);
      assert.ok((await store.get(put.digest)).bytes.equals(next.bytes));
    });

    it("keeps sync records beside the snapshots, overwritten in place; a missing one reads as none", async function () {
      assert.equal(await store.readRecord("membership-1-COOKIE"), undefined);
      await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "sending" });
      await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "answered" });
      assert.deepEqual(await store.readRecord("membership-1-COOKIE"), { v: 1, stage: "answered" });
      assert.equal(store.recordKey("membership-1-COOKIE"), "unit/snaps/records/membership-1-COOKIE.json");
      await assert.rejects(store.writeRecord("../escape", {}), /not a record name/);
    });

    it("lists records by name prefix and removes one (a missing one is no error)", async function () {
      await store.writeRecord("membership-2-MAID", { v: 1 });
      await store.writeRecord("audience-metadata-2", { v: 1 });
      assert.deepEqual((await store.listRecords("membership-")).sort(), ["membership-1-COOKIE", "membership-2-MAID"]);
      await store.deleteRecord("membership-2-MAID");
      await store.deleteRecord("membership-2-MAID");
      assert.deepEqual(await store.listRecords("membership-"), ["membership-1-COOKIE"]);
      assert.equal(await store.readRecord("membership-2-MAID"), undefined);
      assert.deepEqual(await store.listRecords("audience-"), ["audience-metadata-2"]);
    });

    it("does not mistake a missing bucket for a missing snapshot", async function () {
      const elsewhere = new S3SnapshotStore({ bucket: "no-such-bucket", client: { endpoint: s3server.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } } });
      await assert.rejects(elsewhere.get("1".repeat(64)), (e: unknown) => !(e instanceof SnapshotMissingError) && /GET s3:\/\/no-such-bucket\/.* failed: NoSuchBucket/.test(String(e)));
      elsewhere.close();
    });
  });

  describe("up in one working copy, preview in a fresh clone", function () {
    const checkpoint = scenario();
    const credentials = { clientId: "amzn1.application-oa2-client.objstore", clientSecret: `objstore-secret-${Math.random().toString(36).slice(2)}`, refreshToken: `Atzr|objstore-${Math.random().toString(36).slice(2)}` };
    const stackName = `objstore${process.pid}`;
    const cookies = cookieIds(3000, 41);
    const maids = maidIds(30, 42);
    let a: WorkingCopy;
    let b: WorkingCopy;
    let stackA: PulumiStack;
    let stackB: PulumiStack;
    let backendUrl: string;
    let previewA: PulumiResult;

    const specFiles = (alphaCookies: string[], betaMaids: string[]): Record<string, string> =>
      specFilesOf(
        {
          version: 1,
          defaults: { advertiserId: "9223372036854775001", dataSourceCountry: ["US"], ttl: 2592000 },
          audiences: {
            "os-alpha": { name: "Object store alpha", members: { COOKIE: { file: "ids/alpha-cookies.txt" } } },
            "os-beta": { name: "Object store beta", members: { MAID: betaMaids } },
          },
        },
        { "ids/alpha-cookies.txt": alphaCookies },
      );

    const stackIn = (copy: WorkingCopy, home: string): PulumiStack =>
      new PulumiStack({
        projectDir: copy.dir,
        backendDir: home, // only PULUMI_HOME lives here: state and snapshots are in the bucket
        backendUrl,
        binDir,
        stack: stackName,
        configFile: path.join(copy.dir, `Pulumi.${stackName}.yaml`),
        env: s3server.env,
      });

    before(async function () {
      sim = await startSimulator({ port: 0, credentials });
      backendUrl = s3server.backendUrl(BUCKET, PREFIX);
      a = cloneThisRepository(path.join(work, "a"));
      a.commit("audiences v1", specFiles(cookies.slice(0, 2000), maids.slice(0, 20)));
      stackA = stackIn(a, path.join(work, "a-home"));
    });

    checkpoint("the pinned CLI logs in to the S3-compatible backend", async function () {
      const r = await stackA.must(["login", backendUrl], false);
      assert.match(r.stdout, new RegExp(`Logged in to .* \\(s3://${BUCKET}/${PREFIX}\\?endpoint=`));
      assert.match((await stackA.must(["version"], false)).stdout.trim(), /^v3\.\d+\.\d+/);
    });

    checkpoint("up from working copy A puts state and snapshots in the same bucket, under the backend's prefix", async function () {
      await stackA.init();
      await stackA.setConfig("dsp:spec", "audiences.yaml");
      await stackA.setConfig("dsp:endpoint", sim.url);
      await stackA.setConfig("dsp:clientId", credentials.clientId);
      await stackA.setConfig("dsp:clientSecret", credentials.clientSecret, true);
      await stackA.setConfig("dsp:refreshToken", credentials.refreshToken, true);
      a.commit("stack config", { [`Pulumi.${stackName}.yaml`]: fs.readFileSync(stackA.configFile) });
      await stackA.up();
      const keys = await listKeys(s3, `${PREFIX}/`);
      assert.ok(keys.some((k) => k.startsWith(`${PREFIX}/.pulumi/stacks/`)), "the state is in the bucket");
      const snapshots = keys.filter((k) => k.startsWith(SNAPSHOTS) && !k.startsWith(`${SNAPSHOTS}records/`));
      assert.equal(snapshots.length, 2, `one snapshot per applied set: ${snapshots.join(", ")}`);
      for (const k of snapshots) assert.match(k, /\/([0-9a-f]{2})\/\1[0-9a-f]{62}\.ids\.zst$/);
      // Beside them, the sync records of the two memberships and the two creates, and the stack's catalog (its audiences' keys, for refresh progress).
      const records = keys.filter((k) => k.startsWith(`${SNAPSHOTS}records/`)).map((k) => k.slice(`${SNAPSHOTS}records/`.length));
      assert.deepEqual(records.map((r) => r.replace(/-[0-9a-f]{32}\.json$|-\d+-(COOKIE|MAID)\.json$/, "")).sort(), ["audience-create", "audience-create", `catalog.dsp-audiences.${stackName}.json`, "membership", "membership"]);
      assert.ok(!fs.existsSync(path.join(a.dir, ".dsp-audiences")), "nothing beside the program");
    });

    checkpoint("a fresh clone with its own PULUMI_HOME previews exactly the same plan as A", async function () {
      // The change a pull request would bring: alpha drops 150 cookies and gains 400; beta gains 5 MAIDs.
      a.commit("audiences v2", specFiles([...cookies.slice(150, 2000), ...cookies.slice(2000, 2400)], maids.slice(0, 25)));
      previewA = await stackA.preview(["--json"]);
      assert.equal(previewA.code, 0, previewA.stderr);
      b = cloneInto(a.dir, path.join(work, "b"));
      stackB = stackIn(b, path.join(work, "b-home"));
      const previewB = await stackB.preview(["--json"]);
      assert.equal(previewB.code, 0, previewB.stderr);
      assert.deepEqual(planLines(previewA), ["os-alpha COOKIE: +400 −150 IDs (1,850 unchanged)", "os-beta MAID: +5 −0 IDs (20 unchanged)"]);
      assert.deepEqual(planLines(previewB), planLines(previewA), "identical counts");
      assert.deepEqual(summarisePreview(parsePreviewJson(previewB.stdout)).audiences, summarisePreview(parsePreviewJson(previewA.stdout)).audiences);
      assert.ok(!fs.existsSync(path.join(b.dir, ".dsp-audiences")) && !fs.existsSync(path.join(work, "b-home", ".dsp-audiences")), "B read everything from the bucket");
    });

    checkpoint("plan-summary in the clone summarises a 1,000,000-ID change in under 60,000 characters", async function () {
      const million = cookieIds(1_000_000, 43);
      fs.writeFileSync(path.join(b.dir, "ids", "alpha-cookies.txt"), million.join("\n") + "\n");
      const env = {
        ...process.env,
        ...s3server.env,
        PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_BACKEND_URL: backendUrl,
        PULUMI_HOME: path.join(work, "b-home", ".pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "dsp-audiences-local",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      };
      const md = path.join(work, "million.md");
      const json = path.join(work, "million.json");
      try {
        execFileSync(process.execPath, [path.join(b.dir, "bin", "dsp-audiences.js"), "plan-summary", "--stack", stackName, "--cwd", b.dir, "--markdown", md, "--json", json], { env, stdio: "pipe" });
      } finally {
        b.git("checkout", "--", "ids/alpha-cookies.txt");
      }
      const summary = JSON.parse(fs.readFileSync(json, "utf8")) as PlanSummary;
      const alpha = summary.audiences.find((x) => x.key === "os-alpha");
      // v1 applied 2,000 cookies, none of them in the new million.
      assert.deepEqual(alpha?.members.map((m) => [m.idType, m.adds, m.removes]), [["COOKIE", 1_000_000, 2_000]]);
      const text = fs.readFileSync(md, "utf8");
      assert.ok(text.length < 60_000 && Buffer.byteLength(text) < 60_000, `${text.length} characters`);
      assert.match(text, /\| `os-alpha` \| members \| {2}\| \+1,000,000 −2,000 \|/);
    });

    checkpoint("a deleted snapshot stops the plan with the documented error instead of a wrong plan", async function () {
      const applied = await listKeys(s3, SNAPSHOTS);
      const state = JSON.parse(await stackB.exportState()) as { deployment: { resources: Array<{ type: string; outputs?: { label?: string; appliedDigest?: string } }> } };
      const alphaDigest = state.deployment.resources.find((r) => r.type.endsWith("AudienceMembership") && r.outputs?.label === "os-alpha")?.outputs?.appliedDigest;
      assert.ok(alphaDigest, "alpha's applied digest is in state");
      const key = applied.find((k) => k.endsWith(`${alphaDigest}.ids.zst`));
      assert.ok(key, `its snapshot is in the bucket: ${applied.join(", ")}`);
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
      const r = await stackB.preview(["--json"]);
      assert.notEqual(r.code, 0, "the preview fails");
      const summary = summarisePreview(parsePreviewJson(r.stdout));
      const alpha = summary.audiences.find((x) => x.key === "os-alpha");
      assert.equal(alpha?.errors.length, 1);
      assert.match(alpha?.errors[0] ?? "", new RegExp(`^os-alpha COOKIE: cannot plan: Applied-set snapshot ${alphaDigest} not found at s3://${BUCKET}/${key}\\.$`));
      assert.deepEqual(alpha?.members, [{ idType: "COOKIE", change: "update", adds: 0, removes: 0, reassert: false, unplanned: true }], "no counts are guessed");
      assert.ok(summary.recoveryHint?.includes(SNAPSHOT_RECOVERY_HINT));
      assert.ok(!planLines(r).some((l) => l.startsWith("os-alpha COOKIE")), "no plan line for the membership without its snapshot");
      assert.match(renderPlanMarkdown(summary), /\*\*Recovery\*\*: Without it the previously applied membership is unknown/);
    });

    checkpoint("the documented recovery, a full re-assert, re-adds the whole desired set and says removals are unknown", async function () {
      await stackB.setConfig("dsp:reassert", "recover-1");
      const r = await stackB.preview(["--json"]);
      assert.equal(r.code, 0, r.stdout.slice(-3000));
      assert.deepEqual(planLines(r), [
        "os-alpha COOKIE: +2,250 −0 IDs (0 unchanged) (re-assert: every desired ID is sent again)",
        "os-beta MAID: +25 −0 IDs (0 unchanged) (re-assert: every desired ID is sent again)",
      ]);
      const summary = summarisePreview(parsePreviewJson(r.stdout));
      assert.match(summary.audiences.find((x) => x.key === "os-alpha")?.warnings.join("\n") ?? "", /applied snapshot missing; re-asserting all 2,250 IDs, removals cannot be computed/);
    });
  });
});
