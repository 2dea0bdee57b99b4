import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idSetFrom, setDigest, SpilledSet, SpillingSetBuilder } from "../../../provider/plan";
import { BlobSnapshotStore, FileSnapshotStore, SnapshotCorruptError } from "../../../provider/snapshots";
import { FileBlobStore } from "../../../provider/snapshots/file-blob-store";
import { MemoryBlobStore } from "../../support/memory-blob-store";
import { blobOf, deltaOf, snapshotStoreContract, type StoreUnderTest } from "../../support/snapshot-store-contract";
import { cookieIds } from "../../support/synthetic-ids";

const scratchFolder = (): string => mkdtempSync(join(tmpdir(), "blob-store-scratch-"));

describe("BlobSnapshotStore", () => {
  describe("over blobs in memory", () => {
    snapshotStoreContract(
      async () => {
        const blobs = new MemoryBlobStore();
        return { store: new BlobSnapshotStore(blobs), blobs, scratch: scratchFolder() };
      },
      async ({ scratch }) => rmSync(scratch, { recursive: true, force: true }),
    );
  });

  describe("over files (FileSnapshotStore)", () => {
    const folders = new WeakMap<StoreUnderTest, string>();
    snapshotStoreContract(
      async () => {
        const directory = mkdtempSync(join(tmpdir(), "blob-store-files-"));
        const opened = { store: new FileSnapshotStore(directory), blobs: new FileBlobStore(directory), scratch: scratchFolder() };
        folders.set(opened, directory);
        return opened;
      },
      async (opened) => {
        rmSync(opened.scratch, { recursive: true, force: true });
        rmSync(folders.get(opened) ?? "", { recursive: true, force: true });
      },
    );
  });

  describe("when the blobs fail as real ones do", () => {
    let blobs: MemoryBlobStore;
    let store: BlobSnapshotStore;
    let scratch: string;
    const set = idSetFrom(cookieIds(2000, 201));
    const digest = setDigest(set);
    const whole = blobOf(digest, ".ids.zst");
    beforeEach(() => {
      blobs = new MemoryBlobStore();
      store = new BlobSnapshotStore(blobs);
      scratch = scratchFolder();
    });
    afterEach(() => rmSync(scratch, { recursive: true, force: true }));

    it("reads a blob again when a read is cut short, and moves nothing aside when the second read is whole", async () => {
      await store.put(set);
      blobs.cutNextReads(whole, 1);
      assert.ok((await store.get(digest)).bytes.equals(set.bytes));
      blobs.cutNextReads(whole, 1);
      assert.equal(await (await store.getSpilled(digest, scratch)).digest(), digest);
      assert.deepEqual(blobs.reads, [whole, whole, whole, whole]);
      assert.deepEqual([...blobs.blobs.keys()], [whole]);
    });

    it("moves aside a blob that reads corrupt twice", async () => {
      await store.put(set);
      blobs.cutNextReads(whole, 2);
      await assert.rejects(store.get(digest), (e: unknown) => e instanceof SnapshotCorruptError && /truncated.*; moved aside to memory:\/.*\.ids\.zst\.corrupt$/.test(e.reason));
      assert.deepEqual([...blobs.blobs.keys()], [`${whole}.corrupt`]);
    });

    it("reads a delta again when a read is cut short", async () => {
      const base = idSetFrom(cookieIds(2000, 202));
      await store.put(base);
      const next = idSetFrom([...base].slice(10).concat(cookieIds(10, 203)));
      await store.putDelta(deltaOf(base, next, 1));
      const delta = blobOf(setDigest(next), ".delta.zst");
      blobs.cutNextReads(delta, 1);
      assert.ok((await store.get(setDigest(next))).bytes.equals(next.bytes));
      assert.equal(blobs.blobs.has(delta), true);
    });

    it("still reports the corruption, unmoved, when the blob cannot be moved aside", async () => {
      await store.put(set);
      blobs.refuseQuarantine = true;
      await blobs.put(whole, Buffer.from("garbage"), { contentType: "application/zstd" });
      await assert.rejects(store.get(digest), (e: unknown) => e instanceof SnapshotCorruptError && !/moved aside/.test(e.reason));
      assert.deepEqual([...blobs.blobs.keys()], [whole]);
    });

    it("passes on a failure that is not corruption without moving anything", async () => {
      await store.put(set);
      const failing = Object.assign(Object.create(blobs) as MemoryBlobStore, {
        get: () => Promise.reject(new Error("GET memory:/x failed: AccessDenied")),
      });
      await assert.rejects(new BlobSnapshotStore(failing).get(digest), /AccessDenied/);
      assert.deepEqual([...blobs.blobs.keys()], [whole]);
    });

    it("streams each new whole snapshot, from memory or from disk, and says what each blob holds", async () => {
      await store.put(set);
      const builder = new SpillingSetBuilder({ memoryBytes: 20_000, directory: scratch });
      for (const id of cookieIds(1500, 204)) builder.add(id);
      const spilled = builder.build();
      assert.ok(spilled instanceof SpilledSet);
      const spilledDigest = await store.put(spilled);
      await store.writeRecord("r", { v: 1 });
      assert.deepEqual(
        blobs.puts,
        [
          { name: whole, streamed: true, options: { contentType: "application/zstd", metadata: { "dsp-set-digest": digest, "dsp-set-count": "2000" } } },
          { name: blobOf(spilledDigest, ".ids.zst"), streamed: true, options: { contentType: "application/zstd", metadata: { "dsp-set-digest": spilledDigest, "dsp-set-count": "1500" } } },
          { name: "records/r.json", streamed: false, options: { contentType: "application/json" } },
        ],
      );
    });
  });
});
