/**
 * What every snapshot store does, whatever holds its blobs: run by the unit tests against an
 * in-memory blob store and a directory, and by the sim tests against a real S3-compatible server.
 * Each case reaches past the store to its blobs (to damage, lose or list them) through a second
 * {@link BlobStore} on the same place.
 */
import { strict as assert } from "node:assert";
import { idSetFrom, RANGE_COUNT, setDeltaOf, setDigest, SpilledSet, SpillingSetBuilder, type IdSet } from "../../provider/plan";
import {
  encodeDelta,
  encodeSnapshot,
  isReadable,
  putNearBase,
  putSpilledNearBase,
  SnapshotCorruptError,
  SnapshotMissingError,
  type BlobStore,
  type DeltaSnapshot,
  type SnapshotStore,
} from "../../provider/snapshots";
import { cookieIds } from "./synthetic-ids";

export interface StoreUnderTest {
  readonly store: SnapshotStore;
  /** The store's own place, blob by blob. */
  readonly blobs: BlobStore;
  /** A folder for sets read onto disk, emptied after each case. */
  readonly scratch: string;
}

/** The blob of the set `digest` with this ending (`.ids.zst`, `.ids.gz`, `.delta.zst`). */
export const blobOf = (digest: string, suffix: string): string => `${digest.slice(0, 2)}/${digest}${suffix}`;

export function deltaOf(base: IdSet, result: IdSet, depth: number): DeltaSnapshot {
  return { ...setDeltaOf(base, result), baseDigest: setDigest(base), resultDigest: setDigest(result), resultCount: result.size, depth };
}

const ZSTD = { contentType: "application/zstd" };

/** `base` with its first `n` IDs dropped and `n` new ones (from `seed`) added: a small change. */
function changed(base: IdSet, n: number, seed: number): IdSet {
  return idSetFrom([...base].slice(n).concat(cookieIds(n, seed)));
}

async function allNames(blobs: BlobStore): Promise<string[]> {
  return (await blobs.list("")).sort();
}

async function assertSame(found: IdSet | SpilledSet, expected: IdSet): Promise<void> {
  const bytes = found instanceof SpilledSet ? found.ranges(0, RANGE_COUNT).bytes : found.bytes;
  assert.equal(found.size, expected.size);
  assert.ok(bytes.equals(expected.bytes), "the same IDs");
}

/** Defines the contract's cases in the current `describe`; `open` gives a fresh, empty store per case. */
export function snapshotStoreContract(open: () => Promise<StoreUnderTest>, close: (opened: StoreUnderTest) => Promise<void>): void {
  let s: StoreUnderTest;
  beforeEach(async () => {
    s = await open();
  });
  afterEach(async () => close(s));

  const base = idSetFrom(cookieIds(2000, 101));

  it("stores a set whole under its digest, once, and reads it back into memory and onto disk", async () => {
    const digest = await s.store.put(base);
    assert.equal(digest, setDigest(base));
    assert.deepEqual(await allNames(s.blobs), [blobOf(digest, ".ids.zst")]);
    assert.equal(await s.store.has(digest), true);
    assert.equal(await s.store.depthOf(digest), 0);
    await assertSame(await s.store.get(digest), base);
    await assertSame(await s.store.getSpilled(digest, s.scratch), base);
    assert.equal(await s.store.put(idSetFrom([...base].reverse())), digest);
    assert.deepEqual(await allNames(s.blobs), [blobOf(digest, ".ids.zst")], "nothing written again");
  });

  it("reads a gzip snapshot written before issue 14 (.ids.gz) and writes nothing over it", async () => {
    const digest = setDigest(base);
    await s.blobs.put(blobOf(digest, ".ids.gz"), await encodeSnapshot(base, { codec: "gzip" }), ZSTD);
    assert.equal(await s.store.has(digest), true);
    assert.equal(await s.store.depthOf(digest), 0);
    await assertSame(await s.store.get(digest), base);
    await assertSame(await s.store.getSpilled(digest, s.scratch), base);
    await s.store.put(base);
    assert.deepEqual(await allNames(s.blobs), [blobOf(digest, ".ids.gz")]);
  });

  it("reports a set it does not hold as missing, at the name a whole copy would have", async () => {
    const digest = setDigest(base);
    assert.equal(await s.store.has(digest), false);
    assert.equal(await s.store.depthOf(digest), undefined);
    assert.equal(await s.store.getDelta(digest), undefined);
    for (const read of [() => s.store.get(digest), () => s.store.getSpilled(digest, s.scratch)]) {
      await assert.rejects(read(), (e: unknown) => e instanceof SnapshotMissingError && e.digest === digest && e.location === s.blobs.locate(blobOf(digest, ".ids.zst")));
    }
  });

  it("stores a small change as a delta over its base and reads it through the base, into memory and onto disk", async () => {
    const next = changed(base, 20, 102);
    assert.equal((await putNearBase(s.store, base, undefined)).written, "full");
    const put = await putNearBase(s.store, next, setDigest(base));
    assert.deepEqual(put, { digest: setDigest(next), written: "delta" });
    assert.deepEqual(await allNames(s.blobs), [blobOf(setDigest(base), ".ids.zst"), blobOf(put.digest, ".delta.zst")].sort());
    assert.equal(await s.store.depthOf(put.digest), 1);
    assert.equal((await s.store.getDelta(put.digest))?.baseDigest, setDigest(base));
    await assertSame(await s.store.get(put.digest), next);
    await assertSame(await s.store.getSpilled(put.digest, s.scratch), next);
  });

  it("refuses a delta over a base it does not hold", async () => {
    const next = changed(base, 20, 103);
    await assert.rejects(s.store.putDelta(deltaOf(base, next, 1)), (e: unknown) => e instanceof SnapshotMissingError && e.digest === setDigest(base));
    assert.deepEqual(await allNames(s.blobs), []);
  });

  it("reads a delta over a base stored both as a delta and whole as the same set, and moves nothing aside", async () => {
    // As after a failed sync: the base was stored as a delta at depth 2, and the delta over it
    // recorded depth 3; then the base was stored whole, so the chain read is one link long.
    const s1 = changed(base, 10, 104);
    const s2 = changed(s1, 10, 105);
    const top = changed(s2, 10, 106);
    await s.store.put(base);
    await s.store.putDelta(deltaOf(base, s1, 1));
    await s.store.putDelta(deltaOf(s1, s2, 2));
    await s.store.putDelta(deltaOf(s2, top, 3));
    await s.store.put(s2);
    const names = await allNames(s.blobs);
    assert.ok(names.includes(blobOf(setDigest(s2), ".delta.zst")) && names.includes(blobOf(setDigest(s2), ".ids.zst")), "the base is held in both forms");
    assert.equal(await s.store.depthOf(setDigest(s2)), 0);
    assert.equal(await s.store.depthOf(setDigest(top)), 3, "the depth the delta recorded");
    await assertSame(await s.store.get(setDigest(top)), top);
    await assertSame(await s.store.getSpilled(setDigest(top), s.scratch), top);
    await assertSame(await s.store.get(setDigest(s2)), s2);
    assert.equal(await isReadable(s.store, setDigest(top)), true);
    assert.deepEqual(await allNames(s.blobs), names, "nothing moved aside");
  });

  it("reads a delta over a base whose whole copy is lost through the base's own delta, a longer chain than it records", async () => {
    const s1 = changed(base, 10, 107);
    const top = changed(s1, 10, 108);
    await s.store.put(base);
    await s.store.putDelta(deltaOf(base, s1, 1));
    await s.store.put(s1);
    assert.equal((await putNearBase(s.store, top, setDigest(s1))).written, "delta");
    assert.equal(await s.store.depthOf(setDigest(top)), 1);
    await s.blobs.quarantine(blobOf(setDigest(s1), ".ids.zst")); // lost
    await assertSame(await s.store.get(setDigest(top)), top);
    await assertSame(await s.store.getSpilled(setDigest(top), s.scratch), top);
  });

  it("ends a chain that loops back on itself (whole copies lost) as a missing base, and moves nothing aside", async () => {
    const next = changed(base, 10, 109);
    await s.store.put(base);
    await s.store.putDelta(deltaOf(base, next, 1));
    // Another writer stored the base as a delta over `next` too; then its whole copy was lost.
    await s.blobs.put(blobOf(setDigest(base), ".delta.zst"), await encodeDelta(deltaOf(next, base, 2)), ZSTD);
    await s.blobs.quarantine(blobOf(setDigest(base), ".ids.zst"));
    const names = await allNames(s.blobs);
    for (const read of [() => s.store.get(setDigest(next)), () => s.store.getSpilled(setDigest(next), s.scratch)]) {
      await assert.rejects(read(), (e: unknown) => e instanceof SnapshotMissingError && e.digest === setDigest(next));
    }
    assert.equal(await isReadable(s.store, setDigest(next)), false);
    assert.deepEqual(await allNames(s.blobs), names, "nothing moved aside");
  });

  it("moves a damaged whole snapshot aside, and a later put writes a good copy", async () => {
    const digest = await s.store.put(base);
    const name = blobOf(digest, ".ids.zst");
    await s.blobs.put(name, Buffer.from("not a snapshot at all"), ZSTD);
    await assert.rejects(s.store.get(digest), (e: unknown) => {
      assert.ok(e instanceof SnapshotCorruptError);
      assert.equal(e.location, s.blobs.locate(name));
      assert.ok(e.reason.endsWith(`; moved aside to ${s.blobs.locate(`${name}.corrupt`)}`), e.reason);
      return true;
    });
    assert.deepEqual(await allNames(s.blobs), [`${name}.corrupt`]);
    assert.equal(await s.store.has(digest), false);
    await s.store.put(base);
    await assertSame(await s.store.get(digest), base);
  });

  it("reads a set from its delta when its whole copy is damaged", async () => {
    const next = changed(base, 10, 110);
    await s.store.put(base);
    await s.store.putDelta(deltaOf(base, next, 1));
    await s.store.put(next);
    const whole = blobOf(setDigest(next), ".ids.zst");
    await s.blobs.put(whole, Buffer.from("damaged"), ZSTD);
    await assertSame(await s.store.get(setDigest(next)), next);
    const names = await allNames(s.blobs);
    assert.ok(names.includes(`${whole}.corrupt`) && !names.includes(whole), "the damaged copy is moved aside");
    assert.equal(await s.store.depthOf(setDigest(next)), 1);
  });

  it("finds a delta that does not give its digest corrupt and moves it aside", async () => {
    const next = changed(base, 10, 111);
    const other = changed(base, 10, 112);
    await s.store.put(base);
    await s.store.putDelta({ ...deltaOf(base, other, 1), resultDigest: setDigest(next) });
    const name = blobOf(setDigest(next), ".delta.zst");
    await assert.rejects(s.store.get(setDigest(next)), (e: unknown) => e instanceof SnapshotCorruptError && /does not give its digest; moved aside/.test(e.reason));
    assert.ok((await allNames(s.blobs)).includes(`${name}.corrupt`));
    assert.equal(await s.store.has(setDigest(next)), false);
  });

  it("keeps records beside the snapshots, overwritten in place; a missing one reads as none", async () => {
    assert.equal(await s.store.readRecord("membership-1-COOKIE"), undefined);
    await s.store.writeRecord("membership-1-COOKIE", { v: 1, stage: "sending" });
    await s.store.writeRecord("membership-1-COOKIE", { v: 1, stage: "answered" });
    assert.deepEqual(await s.store.readRecord("membership-1-COOKIE"), { v: 1, stage: "answered" });
    assert.deepEqual(await allNames(s.blobs), ["records/membership-1-COOKIE.json"]);
    await assert.rejects(s.store.writeRecord("../escape", {}), /not a record name/);
  });

  it("stores a set larger than memory from its file and reads it back onto disk, whole or as a delta", async () => {
    const spill = (set: IdSet): SpilledSet => {
      const builder = new SpillingSetBuilder({ memoryBytes: 20_000, directory: s.scratch });
      for (const id of set) builder.add(id);
      const built = builder.build();
      assert.ok(built instanceof SpilledSet);
      return built;
    };
    const digest = await s.store.put(spill(base));
    assert.deepEqual(await allNames(s.blobs), [blobOf(digest, ".ids.zst")]);
    await assertSame(await s.store.getSpilled(digest, s.scratch), base);
    const next = changed(base, 30, 113);
    assert.deepEqual(await putSpilledNearBase(s.store, spill(next), digest, 1_000), { digest: setDigest(next), written: "delta" });
    await assertSame(await s.store.getSpilled(setDigest(next), s.scratch), next);
    await assertSame(await s.store.get(setDigest(next)), next);
  });
}
