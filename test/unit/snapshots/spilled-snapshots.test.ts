import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { idSetFrom, RANGE_COUNT, setDigest, setDeltaOf, SpilledSet, SpillingSetBuilder } from "../../../provider/plan";
import { FileSnapshotStore, putSpilledNearBase, SnapshotCorruptError } from "../../../provider/snapshots";

describe("snapshots of sets larger than memory", () => {
  let directory: string;
  let store: FileSnapshotStore;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "spilled-snap-"));
    store = new FileSnapshotStore(join(directory, "store"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const ids = (n: number, salt = ""): string[] => Array.from({ length: n }, (_, i) => `cookie-${salt}${i * 104729}`);
  const spill = (list: readonly string[]): SpilledSet => {
    const builder = new SpillingSetBuilder({ memoryBytes: 30_000, directory });
    for (const id of list) builder.add(id);
    const built = builder.build();
    assert.ok(built instanceof SpilledSet);
    return built;
  };

  it("a spilled set is stored as the same snapshot as the set in memory, and reads back onto disk unchanged", async () => {
    const list = ids(4000);
    const spilled = spill(list);
    const digest = await store.put(spilled);
    assert.equal(digest, setDigest(idSetFrom(list)));
    assert.ok((await store.get(digest)).bytes.equals(idSetFrom(list).bytes), "read into memory");
    const back = await store.getSpilled(digest, directory);
    assert.equal(back.size, 4000);
    assert.equal(await back.digest(), digest);
    assert.ok(back.ranges(0, RANGE_COUNT).bytes.equals(idSetFrom(list).bytes));
  });

  it("follows delta chains onto disk and checks the result against its digest", async () => {
    const base = idSetFrom(ids(3000));
    const next = idSetFrom([...ids(2900), ...ids(50, "new-")]);
    const baseDigest = await store.put(base);
    const delta = setDeltaOf(base, next);
    await store.putDelta({ ...delta, baseDigest, resultDigest: setDigest(next), resultCount: next.size, depth: 1 });
    const back = await store.getSpilled(setDigest(next), directory);
    assert.ok(back.ranges(0, RANGE_COUNT).bytes.equals(next.bytes));
  });

  it("a snapshot whose IDs were changed is corrupt, read onto disk as into memory", async () => {
    const set = idSetFrom(ids(2000));
    const digest = await store.put(set);
    const path = store.pathOf(digest);
    const text = zstdDecompressSync(readFileSync(path)).toString("latin1");
    const damaged = text.replace(/cookie-(\d)/, "cookie-x$1");
    writeFileSync(path, zstdCompressSync(Buffer.from(damaged, "latin1")));
    await assert.rejects(store.getSpilled(digest, directory), SnapshotCorruptError);
  });

  it("a truncated snapshot is corrupt", async () => {
    const digest = await store.put(idSetFrom(ids(2000)));
    const path = store.pathOf(digest);
    const whole = zstdDecompressSync(readFileSync(path));
    writeFileSync(path, zstdCompressSync(whole.subarray(0, whole.length - 100)));
    await assert.rejects(store.getSpilled(digest, directory), (error: unknown) => error instanceof SnapshotCorruptError && /truncated/.test(error.message));
  });

  it("a spilled set near its base is stored as a delta computed range by range, else whole", async () => {
    const base = ids(4000);
    const baseDigest = await store.put(idSetFrom(base));
    const small = [...base.slice(100), ...ids(80, "n-")];
    const put = await putSpilledNearBase(store, spill(small), baseDigest, 1_000_000);
    assert.equal(put.written, "delta");
    assert.equal(put.digest, setDigest(idSetFrom(small)));
    const delta = await store.getDelta(put.digest);
    assert.equal(delta?.removes.size, 100);
    assert.equal(delta?.adds.size, 80);
    assert.ok((await store.get(put.digest)).bytes.equals(idSetFrom(small).bytes));
    const big = [...base.slice(2000), ...ids(2000, "m-")];
    assert.equal((await putSpilledNearBase(store, spill(big), baseDigest, 1_000_000)).written, "full", "half the set changed");
    const capped = [...base.slice(50), ...ids(10, "c-")];
    assert.equal((await putSpilledNearBase(store, spill(capped), baseDigest, 40)).written, "full", "more changed IDs than the budget allows");
    assert.ok((await store.get(setDigest(idSetFrom(capped)))).bytes.equals(idSetFrom(capped).bytes));
  });
});
