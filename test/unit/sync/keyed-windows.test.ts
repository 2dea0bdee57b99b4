/**
 * Windows by a key inside each entry (issue 25): the windows' parts of a set are disjoint, cover
 * it, keep every entry of one key together, and put back together give the same set.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idSetFrom, setDigest, writeSpilled } from "../../../provider/plan";
import { FileSnapshotStore } from "../../../provider/snapshots";
import { inWindow, KeyedSetWriter, keyedPart, keyedView } from "../../../provider/sync/keyed-windows";
import { planWindows, SpilledCopies, withOwnCopies } from "../../../provider/sync/plan-windows";

describe("keyed windows", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "keyed-windows-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Three versions of each of 2,000 keys: entries of one key have unrelated fingerprints.
  const entries = Array.from({ length: 6_000 }, (_, i) => `customer-${i % 2_000}:v${Math.floor(i / 2_000)}`);
  const keyOf = (entry: string): string => entry.slice(0, entry.indexOf(":"));
  const windows = planWindows(1_000, 12_500); // 8 windows

  it("cuts a set on disk into disjoint parts that cover it and keep each key's entries together", () => {
    assert.equal(windows.length, 8);
    const spilled = writeSpilled(dir, idSetFrom(entries));
    const seen = new Map<string, number>();
    let total = 0;
    for (const [index, window] of windows.entries()) {
      const part = keyedPart(spilled, window, keyOf);
      total += part.size;
      for (const entry of part) {
        assert.ok(inWindow(window, keyOf(entry)));
        const other = seen.get(keyOf(entry));
        assert.ok(other === undefined || other === index, "one key, one window");
        seen.set(keyOf(entry), index);
      }
    }
    assert.equal(total, entries.length);
    assert.equal(seen.size, 2_000);
  });

  it("reads each window's part through a view of the store, and stores the parts put back together as the same set", async () => {
    const store = new FileSnapshotStore(join(dir, "store"));
    const whole = idSetFrom(entries);
    const digest = await store.put(whole);
    const copies = new SpilledCopies(store);
    const stored = await withOwnCopies(async () => {
      // A budget far below the set's size: the writer sorts on disk.
      const writer = new KeyedSetWriter(copies, 20_000);
      for (const window of windows) writer.add(await keyedView(copies, window, keyOf).get(digest));
      assert.equal(writer.count, entries.length);
      return writer.store(new FileSnapshotStore(join(dir, "again")));
    });
    assert.deepEqual(stored, { digest: setDigest(whole), count: entries.length });
  });
});
