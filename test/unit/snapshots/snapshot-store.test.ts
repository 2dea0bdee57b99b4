import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idSetFrom, setDigest } from "../../../provider/plan";
import { encodeSnapshot, FileSnapshotStore, SnapshotCorruptError, SnapshotMissingError } from "../../../provider/snapshots";

describe("FileSnapshotStore", () => {
  let dir: string;
  let store: FileSnapshotStore;
  const set = idSetFrom(["cookie-a", "cookie-b", "cookie-c"]);
  const digest = setDigest(set);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "snapshots-"));
    store = new FileSnapshotStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stores a set under its digest and reads the same set back", async () => {
    assert.equal(await store.has(digest), false);
    assert.equal(await store.put(set), digest);
    assert.equal(await store.has(digest), true);
    assert.equal(store.pathOf(digest), join(dir, digest.slice(0, 2), `${digest}.ids.zst`));
    assert.ok(existsSync(store.pathOf(digest)));
    const back = await store.get(digest);
    assert.deepEqual(back.toArray(), set.toArray());
  });

  it("reads a gzip snapshot written before issue 14 (.ids.gz), and puts nothing over it", async () => {
    mkdirSync(join(dir, digest.slice(0, 2)), { recursive: true });
    writeFileSync(store.legacyPathOf(digest), await encodeSnapshot(set, { codec: "gzip" }));
    assert.equal(await store.has(digest), true);
    assert.equal(await store.depthOf(digest), 0);
    assert.deepEqual((await store.get(digest)).toArray(), set.toArray());
    assert.deepEqual((await store.getSpilled(digest, dir)).toArray(), set.toArray());
    await store.put(set);
    assert.equal(existsSync(store.pathOf(digest)), false, "the old copy counts as stored");
  });

  it("puts idempotently and leaves no temporary files", async () => {
    await store.put(set);
    const written = statSync(store.pathOf(digest)).mtimeMs;
    await Promise.all([store.put(set), store.put(idSetFrom([...set].reverse()))]);
    assert.equal(statSync(store.pathOf(digest)).mtimeMs, written);
    assert.deepEqual(readdirSync(join(dir, digest.slice(0, 2))), [`${digest}.ids.zst`]);
  });

  it("writes concurrent puts of one new set safely", async () => {
    const digests = await Promise.all([store.put(set), store.put(set), store.put(set)]);
    assert.deepEqual(digests, [digest, digest, digest]);
    assert.deepEqual(readdirSync(join(dir, digest.slice(0, 2))), [`${digest}.ids.zst`]);
    assert.deepEqual((await store.get(digest)).toArray(), set.toArray());
  });

  it("reports a missing snapshot with its digest, location and the recovery mode", async () => {
    await assert.rejects(store.get(digest), (error: unknown) => {
      assert.ok(error instanceof SnapshotMissingError);
      assert.equal(error.digest, digest);
      assert.equal(error.location, store.pathOf(digest));
      assert.match(error.message, new RegExp(`^Applied-set snapshot ${digest} not found at ${store.pathOf(digest)}\\.`));
      assert.match(error.message, /removals cannot be computed/);
      assert.match(error.message, /full re-assert, which re-adds the whole desired set/);
      return true;
    });
  });

  it("reports a truncated snapshot as corrupt and moves it aside so a later put can repair it", async () => {
    await store.put(set);
    const path = store.pathOf(digest);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    await assert.rejects(store.get(digest), (error: unknown) => {
      assert.ok(error instanceof SnapshotCorruptError);
      assert.equal(error.digest, digest);
      assert.match(error.reason, /compressed data is damaged or truncated.*; moved aside to .*\.ids\.zst\.corrupt$/);
      return true;
    });
    assert.equal(await store.has(digest), false);
    await store.put(set);
    assert.deepEqual((await store.get(digest)).toArray(), set.toArray());
  });

  it("reports a snapshot stored under the wrong name as corrupt", async () => {
    const other = idSetFrom(["other"]);
    await store.put(other);
    const misplaced = store.pathOf(digest);
    await store.put(set);
    writeFileSync(misplaced, readFileSync(store.pathOf(setDigest(other))));
    await assert.rejects(store.get(digest), (error: unknown) => error instanceof SnapshotCorruptError && /different set/.test(error.reason));
  });

  it("still reports the corruption when it cannot move the file aside", async () => {
    await store.put(set);
    const path = store.pathOf(digest);
    writeFileSync(path, "garbage");
    // A non-empty directory in the way makes the rename fail, even for root.
    mkdirSync(join(`${path}.corrupt`, "occupied"), { recursive: true });
    await assert.rejects(store.get(digest), (error: unknown) => error instanceof SnapshotCorruptError && !/moved aside/.test(error.reason));
    assert.ok(existsSync(path));
  });

  it("refuses anything that is not a digest as a file name", async () => {
    assert.throws(() => store.pathOf("../../etc/passwd"), /not a set digest/);
    await assert.rejects(store.get("ABC"), /not a set digest/);
  });
});
