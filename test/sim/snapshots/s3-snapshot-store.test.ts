/**
 * The S3 snapshot store against a real S3-compatible server (moto, started on loopback by
 * scripts/s3-server.sh): the store's contract, then what only an object store does (object keys
 * and headers, multipart uploads at S3's smallest part size, which the server enforces as S3
 * does, an upload aborted part-way, a missing bucket). If the server cannot be
 * installed or started, this fails; it is never skipped.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client, type HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import { idSetFrom, SpilledSet, SpillingSetBuilder } from "../../../provider/plan";
import { S3SnapshotStore, SnapshotMissingError } from "../../../provider/snapshots";
import { gather } from "../../../provider/snapshots/blob-store";
import { S3_MIN_PART_BYTES, S3BlobStore, type S3ClientOptions } from "../../../provider/snapshots/s3-blob-store";
import { startS3Server, type RunningS3Server } from "../../support/s3-server";
import { blobOf, snapshotStoreContract, type StoreUnderTest } from "../../support/snapshot-store-contract";
import { cookieIds } from "../../support/synthetic-ids";

const BUCKET = "dsp-snapshots";

/** `bytes` in pieces of `size`, as a stream hands them over. */
function* piecesOf(bytes: Buffer, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

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
  const headOf = async (key: string): Promise<HeadObjectCommandOutput> => {
    const s3 = new S3Client(client);
    try {
      return await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    } finally {
      s3.destroy();
    }
  };
  /** Multipart uploads begun and neither completed nor aborted, in the whole bucket. */
  const pendingUploads = async (): Promise<string[]> => {
    const s3 = new S3Client(client);
    try {
      return ((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).map((u) => u.Key ?? "");
    } finally {
      s3.destroy();
    }
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

    it("uploads a snapshot larger than one part in parts, writes nothing beside the set, and reads it back", async () => {
      const store = new S3SnapshotStore({ bucket: BUCKET, prefix: s.store.prefix, client, partBytes: S3_MIN_PART_BYTES });
      try {
        const spillFolder = mkdtempSync(join(s.scratch, "spill-"));
        const builder = new SpillingSetBuilder({ memoryBytes: 4_000_000, directory: spillFolder });
        for (const id of cookieIds(400_000, 303)) builder.add(id); // about 6.9 MB as a snapshot: two parts
        const spilled = builder.build();
        assert.ok(spilled instanceof SpilledSet);
        const before = readdirSync(spillFolder).sort();
        const digest = await store.put(spilled);
        assert.deepEqual(readdirSync(spillFolder).sort(), before, "nothing spooled beside the set");
        const head = await headOf(s.store.keyOf(digest));
        assert.match(head.ETag ?? "", /-2"$/, "a multipart object of two parts");
        assert.equal(head.ContentType, "application/zstd");
        assert.deepEqual(head.Metadata, { "dsp-set-digest": digest, "dsp-set-count": "400000" });
        assert.equal(await (await s.store.getSpilled(digest, s.scratch)).digest(), digest);
        assert.deepEqual(await pendingUploads(), []);
      } finally {
        store.close();
      }
    });

    it("puts a blob of at most one part as one PUT, and one byte more in two parts", async () => {
      const blobs = new S3BlobStore({ bucket: BUCKET, prefix: s.store.prefix, client, partBytes: S3_MIN_PART_BYTES });
      try {
        for (const [name, size, etag] of [
          ["one-part", S3_MIN_PART_BYTES, /^"[0-9a-f]{32}"$/],
          ["two-parts", S3_MIN_PART_BYTES + 1, /^"[0-9a-f]{32}-2"$/],
          ["empty", 0, /^"[0-9a-f]{32}"$/],
        ] as const) {
          const bytes = randomBytes(size);
          // As a stream, and as bytes in memory.
          for (const [put, body] of [
            [`${name}-streamed`, { stream: () => Readable.from(piecesOf(bytes, 1 << 20)) }],
            [`${name}-in-memory`, bytes],
          ] as const) {
            await blobs.put(put, body, { contentType: "application/octet-stream" });
            assert.match((await headOf(blobs.keyOf(put))).ETag ?? "", etag, put);
            assert.ok((await blobs.get(put, gather))?.equals(bytes), `${put} reads back the same`);
          }
        }
        assert.deepEqual(await pendingUploads(), []);
      } finally {
        blobs.close();
      }
    });

    it("aborts the upload when the blob's stream fails part-way: no object and no parts are left", async () => {
      const blobs = new S3BlobStore({ bucket: BUCKET, prefix: s.store.prefix, client, partBytes: S3_MIN_PART_BYTES });
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield* piecesOf(randomBytes(2 * S3_MIN_PART_BYTES + 100), 1 << 20);
        throw new Error("the disk went away");
      }
      try {
        await assert.rejects(blobs.put("broken", { stream: () => Readable.from(failing()) }, { contentType: "application/octet-stream" }), (e: unknown) =>
          /^PUT s3:\/\/dsp-snapshots\/case-\d+\/\.dsp-audiences\/snapshots\/broken failed: Error: the disk went away$/.test((e as Error).message),
        );
        assert.deepEqual(await pendingUploads(), [], "the multipart upload was aborted");
        assert.equal(await blobs.get("broken", gather), undefined);
      } finally {
        blobs.close();
      }
    });

    it("refuses a part size S3 does not take", () => {
      for (const partBytes of [S3_MIN_PART_BYTES - 1, 5 * 1024 ** 3 + 1, S3_MIN_PART_BYTES + 0.5]) {
        assert.throws(() => new S3BlobStore({ bucket: BUCKET, client, partBytes }), /S3 part size must be a whole number of bytes from 5 MiB to 5 GiB/);
      }
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
