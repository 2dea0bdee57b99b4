import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idSetFrom, setDeltaOf, setDigest, type IdSet } from "../../../provider/plan";
import {
  decodeDelta,
  encodeDelta,
  FileSnapshotStore,
  isReadable,
  MAX_DELTA_DEPTH,
  putNearBase,
  SnapshotCorruptError,
  SnapshotMissingError,
  worthADelta,
  type DeltaSnapshot,
} from "../../../provider/snapshots";

function deltaOf(base: IdSet, result: IdSet, depth = 1): DeltaSnapshot {
  return { ...setDeltaOf(base, result), baseDigest: setDigest(base), resultDigest: setDigest(result), resultCount: result.size, depth };
}

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe("delta snapshots", () => {
  let dir: string;
  let store: FileSnapshotStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "deltas-"));
    store = new FileSnapshotStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const base = idSetFrom(ids("cookie", 1000));
  const result = idSetFrom([...ids("cookie", 990), ...ids("new", 10)]);

  it("round-trips through the codec with both parts and the header fields", async () => {
    const delta = deltaOf(base, result);
    const back = await decodeDelta(await encodeDelta(delta), { location: "(test)" });
    assert.equal(back.baseDigest, setDigest(base));
    assert.equal(back.resultDigest, setDigest(result));
    assert.equal(back.resultCount, 1000);
    assert.equal(back.depth, 1);
    assert.deepEqual(back.removes.toArray(), delta.removes.toArray());
    assert.deepEqual(back.adds.toArray(), delta.adds.toArray());
  });

  it("reports damaged bytes, a wrong digest and a newer version cleanly", async () => {
    const bytes = await encodeDelta(deltaOf(base, result));
    await assert.rejects(decodeDelta(bytes.subarray(0, bytes.length - 4), { location: "x" }), (e: unknown) => e instanceof SnapshotCorruptError && /zstd data is damaged/.test(e.reason));
    await assert.rejects(decodeDelta(bytes, { location: "x", expectedDigest: setDigest(base) }), (e: unknown) => e instanceof SnapshotCorruptError && /holds a different set/.test(e.reason));
  });

  describe("in a FileSnapshotStore", () => {

    it("stores a set as a delta over a stored base and reads it back whole, by its own digest", async () => {
      await store.put(base);
      const digest = await store.putDelta(deltaOf(base, result));
      assert.equal(digest, setDigest(result));
      assert.equal(await store.has(digest), true);
      assert.deepEqual(readdirSync(join(dir, digest.slice(0, 2))), [`${digest}.delta.zst`]);
      assert.equal(await store.depthOf(digest), 1);
      assert.equal(await store.depthOf(setDigest(base)), 0);
      assert.equal((await store.getDelta(digest))?.adds.size, 10);
      assert.equal(await store.getDelta(setDigest(base)), undefined);
      assert.equal(setDigest(await store.get(digest)), digest);
    });

    it("resolves a chain of deltas", async () => {
      await store.put(base);
      let previous = base;
      for (let depth = 1; depth <= 3; depth++) {
        const next = idSetFrom([...previous].filter((_, i) => i % 50 !== depth).concat(ids(`d${depth}`, 5)));
        await store.putDelta(deltaOf(previous, next, depth));
        previous = next;
      }
      assert.equal(await store.depthOf(setDigest(previous)), 3);
      assert.deepEqual((await store.get(setDigest(previous))).toArray(), previous.toArray());
    });

    it("refuses a delta over a base it does not hold, and says which base is missing when one is lost", async () => {
      await assert.rejects(store.putDelta(deltaOf(base, result)), (e: unknown) => e instanceof SnapshotMissingError && e.digest === setDigest(base));
      await store.put(base);
      await store.putDelta(deltaOf(base, result));
      rmSync(store.pathOf(setDigest(base)));
      await assert.rejects(store.get(setDigest(result)), (e: unknown) => e instanceof SnapshotMissingError && e.digest === setDigest(base));
    });

    it("moves a damaged delta aside so a later put can repair it", async () => {
      await store.put(base);
      await store.putDelta(deltaOf(base, result));
      const path = store.deltaPathOf(setDigest(result));
      writeFileSync(path, readFileSync(path).subarray(0, 20));
      await assert.rejects(store.get(setDigest(result)), (e: unknown) => e instanceof SnapshotCorruptError && /moved aside to .*\.delta\.zst\.corrupt$/.test(e.reason));
      assert.equal(await store.has(setDigest(result)), false);
      await store.put(result);
      assert.equal(setDigest(await store.get(setDigest(result))), setDigest(result));
    });

    it("finds a delta that does not give its digest corrupt", async () => {
      await store.put(base);
      const other = idSetFrom(ids("cookie", 999));
      await store.putDelta({ ...deltaOf(base, other), resultDigest: setDigest(result), resultCount: result.size });
      await assert.rejects(store.get(setDigest(result)), (e: unknown) => e instanceof SnapshotCorruptError && /does not give its digest/.test(e.reason));
    });
  });

  describe("near a base (a desired set and what the audience holds)", () => {
    it("writes a set without a base whole, small changes as deltas, compacts long chains and large changes, and names each set by its digest", async () => {
      assert.deepEqual(await putNearBase(store, base, undefined), { digest: setDigest(base), written: "full" });
      assert.deepEqual(await putNearBase(store, base, undefined), { digest: setDigest(base), written: "stored" });
      let previous = base;
      for (let depth = 1; depth <= MAX_DELTA_DEPTH + 1; depth++) {
        const next = idSetFrom([...previous].slice(1).concat(ids(`d${depth}`, 2)));
        const put = await putNearBase(store, next, setDigest(previous));
        assert.equal(put.written, depth <= MAX_DELTA_DEPTH ? "delta" : "full", `step ${depth}`);
        assert.equal(await store.depthOf(put.digest), depth <= MAX_DELTA_DEPTH ? depth : 0);
        assert.deepEqual((await store.get(put.digest)).toArray(), next.toArray());
        previous = next;
      }
      const rewritten = idSetFrom(ids("other", 800));
      assert.equal((await putNearBase(store, rewritten, setDigest(previous))).written, "full", "a large change is written whole");
      assert.equal((await putNearBase(store, result, "0".repeat(64))).written, "full", "a base that is not stored costs a whole write");
    });
  });

  describe("when a base is lost", () => {
    it("is not readable, and storing the set again writes it whole, so it is readable again", async () => {
      await putNearBase(store, base, undefined);
      assert.equal((await putNearBase(store, result, setDigest(base))).written, "delta");
      assert.equal(await isReadable(store, setDigest(result)), true);
      rmSync(store.pathOf(setDigest(base)));
      assert.equal(await isReadable(store, setDigest(result)), false);
      assert.equal(await store.has(setDigest(result)), true, "the delta is still there");
      assert.equal((await putNearBase(store, result, setDigest(base))).written, "full");
      assert.deepEqual((await store.get(setDigest(result))).toArray(), result.toArray());
    });
  });

  it("is worth writing only for small changes over short chains", () => {
    assert.equal(worthADelta(0, 10, 1000), true);
    assert.equal(worthADelta(0, 300, 1000), false);
    assert.equal(worthADelta(MAX_DELTA_DEPTH - 1, 10, 1000), true);
    assert.equal(worthADelta(MAX_DELTA_DEPTH, 10, 1000), false);
  });
});
