/**
 * The S3 snapshot store against a real S3-compatible server (moto, started on loopback by
 * scripts/s3-server.sh): the store's contract, then what only an object store does (object keys
 * and headers, spooling a set larger than memory, a missing bucket). If the server cannot be
 * installed or started, this fails; it is never skipped.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { idSetFrom, SpilledSet, SpillingSetBuilder } from "../../../provider/plan";
import { S3SnapshotStore, SnapshotMissingError } from "../../../provider/snapshots";
import { S3BlobStore, type S3ClientOptions } from "../../../provider/snapshots/s3-blob-store";
import { startS3Server, type RunningS3Server } from "../../support/s3-server";
import { blobOf, snapshotStoreContract, type StoreUnderTest } from "../../support/snapshot-store-contract";
import { cookieIds } from "../../support/synthetic-ids";

const BUCKET = "dsp-snapshots";

describe("S3SnapshotStore against an S3-compatible server", function () {
  this.timeout(5 * 60 * 1000);
  let server: RunningS3Server;
  let client: S3ClientOptions;
  let prefixes = 0;
  const s3Of = new WeakMap<StoreUnderTest, { store: S3SnapshotStore; blobs: S3BlobStore }>();

  before(async function () {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    server = await startS3Server();
    client = { endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } };
    const s3 = new S3Client(client);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
  });
  after(async () => server?.stop());

  /** A store under a prefix of its own, so each case starts empty. */
  const open = async (): Promise<StoreUnderTest & { store: S3SnapshotStore; blobs: S3BlobStore }> => {
    const prefix = `case-${++prefixes}/.dsp-audiences/snapshots`;
    const opened = { store: new S3SnapshotStore({ bucket: BUCKET, prefix, client }), blobs: new S3BlobStore({ bucket: BUCKET, prefix, client }), scratch: mkdtempSync(join(tmpdir(), "s3-store-scratch-")) };
    s3Of.set(opened, opened);
    return opened;
  };
  const close = async (opened: StoreUnderTest): Promise<void> => {
    s3Of.get(opened)?.store.close();
    s3Of.get(opened)?.blobs.close();
    rmSync(opened.scratch, { recursive: true, force: true });
  };

  describe("the snapshot store's contract", () => snapshotStoreContract(open, close));

  describe("as objects", () => {
    let s: Awaited<ReturnType<typeof open>>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => close(s));

    it("keeps the file layout under its prefix, with the set's digest and count on each object", async () => {
      const set = idSetFrom(cookieIds(1000, 301));
      const digest = await s.store.put(set);
      assert.equal(s.store.keyOf(digest), `${s.store.prefix}/${blobOf(digest, ".ids.zst")}`);
      assert.equal(s.store.urlOf(digest), `s3://${BUCKET}/${s.store.keyOf(digest)}`);
      assert.equal(s.store.recordKey("membership-1-COOKIE"), `${s.store.prefix}/records/membership-1-COOKIE.json`);
      const s3 = new S3Client(client);
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: s.store.keyOf(digest) }));
        assert.equal(head.ContentType, "application/zstd");
        assert.deepEqual(head.Metadata, { "dsp-set-digest": digest, "dsp-set-count": "1000" });
      } finally {
        s3.destroy();
      }
    });

    it("spools a set larger than memory beside it for one PUT, and leaves no spool behind", async () => {
      const spillFolder = mkdtempSync(join(s.scratch, "spill-"));
      const builder = new SpillingSetBuilder({ memoryBytes: 20_000, directory: spillFolder });
      for (const id of cookieIds(3000, 302)) builder.add(id);
      const spilled = builder.build();
      assert.ok(spilled instanceof SpilledSet);
      const before = readdirSync(spillFolder).sort();
      const digest = await s.store.put(spilled);
      assert.deepEqual(readdirSync(spillFolder).sort(), before);
      assert.deepEqual(await s.blobs.list(""), [blobOf(digest, ".ids.zst")]);
      assert.equal(await (await s.store.getSpilled(digest, s.scratch)).digest(), digest);
    });

    it("does not mistake a missing bucket for a missing snapshot", async () => {
      const elsewhere = new S3SnapshotStore({ bucket: "no-such-bucket", client });
      try {
        for (const read of [() => elsewhere.get("1".repeat(64)), () => elsewhere.has("1".repeat(64)), () => elsewhere.readRecord("r")]) {
          await assert.rejects(read(), (e: unknown) => !(e instanceof SnapshotMissingError) && /^(GET|LIST) s3:\/\/no-such-bucket\/.* failed: NoSuchBucket/.test(String((e as Error).message)));
        }
      } finally {
        elsewhere.close();
      }
    });
  });
});
