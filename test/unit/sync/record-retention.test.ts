import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileSnapshotStore } from "../../../provider/snapshots";
import { isExpired, leavesDoubt, retireRecord, sweepRetiredRecords } from "../../../provider/sync/record-retention";
import { SWEPT_RECORD_PREFIXES } from "../../../provider/provider-process/record-holds";
import { appendHistory, historyEntry, keptHistory, MAX_HISTORY_ENTRIES, MAX_INLINE_REQUEST_IDS, type SyncHistoryEntry } from "../../../provider/sync/sync-history";
import { DEFAULT_HOLD_TIMING, type HoldEnvironment } from "../../../provider/sync/sync-hold";
import { FakeClock } from "../../support/fake-clock";

const DAY = 86_400_000;
const RETENTION = 90 * DAY;

describe("records/record-retention and sync-history: records do not pile up", () => {
  it("a retired record expires once the retention has passed and nothing in it is in doubt", () => {
    const now = Date.UTC(2025, 6, 1);
    const retired = (days: number): string => new Date(now - days * DAY).toISOString();
    const cases: Array<[string, unknown, boolean]> = [
      ["not retired", { stage: "answered" }, false],
      ["retired 89 days ago", { stage: "answered", retiredAt: retired(89) }, false],
      ["retired 90 days ago", { stage: "answered", retiredAt: retired(90) }, true],
      ["retired 90 days ago, IDs in doubt", { stage: "answered", inDoubtCount: 3, retiredAt: retired(90) }, false],
      ["retired 90 days ago, a send without answers", { stage: "sending", retiredAt: retired(90) }, false],
      ["retired 90 days ago, metadata fields in doubt", { stage: "answered", fields: ["ttl"], retiredAt: retired(90) }, false],
      ["retired 90 days ago, no metadata in doubt", { stage: "answered", fields: [], retiredAt: retired(90) }, true],
      ["an unreadable retiredAt", { stage: "answered", retiredAt: "later" }, false],
      ["not a record", "text", false],
    ];
    for (const [what, record, expired] of cases) assert.equal(isExpired(record, now, RETENTION), expired, what);
    assert.equal(leavesDoubt({ stage: "answered", inDoubtCount: 0 }), false);
  });

  it("a sweep removes exactly the expired records nobody holds, and leaves other records alone", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-retention-"));
    try {
      const store = new FileSnapshotStore(dir);
      const clock = new FakeClock({ startMs: Date.UTC(2025, 0, 1) });
      const env: HoldEnvironment = { clock, self: { pid: 1, host: "here", token: "t" }, isProcessAlive: () => true, every: () => () => undefined };
      await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "answered", inDoubtCount: 0 });
      await store.writeRecord("membership-2-COOKIE", { v: 1, stage: "answered", inDoubtCount: 0 });
      await store.writeRecord("membership-3-MAID", { v: 1, stage: "answered", inDoubtCount: 5 });
      await store.writeRecord("audience-metadata-9", { v: 1, stage: "answered", fields: [] });
      await store.writeRecord("unrelated", { retiredAt: "2000-01-01T00:00:00.000Z" });
      const at = new Date(clock.now());
      for (const name of ["membership-1-COOKIE", "membership-3-MAID", "audience-metadata-9", "audience-create-none"]) await retireRecord(store, name, at);
      assert.equal(await store.readRecord("audience-create-none"), undefined, "retiring no record writes none");

      clock.advance(RETENTION - 1);
      assert.deepEqual(await sweepRetiredRecords(store, env, DEFAULT_HOLD_TIMING, RETENTION, SWEPT_RECORD_PREFIXES), [], "a millisecond before the retention");
      clock.advance(1);
      // A live process holds the metadata record again (the audience is managed anew).
      await store.writeRecord("audience-metadata-9", { ...((await store.readRecord("audience-metadata-9")) as object), holder: { pid: 7, host: "here", token: "u", heartbeat: new Date(clock.now()).toISOString() } });
      assert.deepEqual(await sweepRetiredRecords(store, env, DEFAULT_HOLD_TIMING, RETENTION, SWEPT_RECORD_PREFIXES), ["membership-1-COOKIE"]);
      assert.deepEqual((await store.listRecords("")).sort(), ["audience-metadata-9", "membership-2-COOKIE", "membership-3-MAID", "unrelated"]);
      await store.deleteRecord("membership-1-COOKIE"); // deleting what is gone is a no-op
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("history keeps the syncs within the retention, at most MAX_HISTORY_ENTRIES, and spills long request id lists to a snapshot", async () => {
    const now = Date.UTC(2025, 6, 1);
    const entry = (daysAgo: number, n = 0): SyncHistoryEntry => ({
      at: new Date(now - daysAgo * DAY).toISOString(),
      attempt: `a${daysAgo}-${n}`,
      adds: 1,
      removes: 0,
      requests: 1,
      requestIds: ["r"],
      inDoubt: 0,
      appliedDigest: "d",
    });
    const kept = appendHistory([entry(120), entry(91), entry(89), { nonsense: true }], entry(0), now, RETENTION);
    assert.deepEqual(kept.map((e) => e.attempt), ["a89-0", "a0-0"]);
    assert.deepEqual(keptHistory("not a list", now, RETENTION), []);
    const many = Array.from({ length: MAX_HISTORY_ENTRIES + 10 }, (_, i) => entry(1, i));
    const capped = appendHistory(many, entry(0), now, RETENTION);
    assert.equal(capped.length, MAX_HISTORY_ENTRIES);
    assert.equal(capped.at(-1)?.attempt, "a0-0");
    assert.equal(capped[0]?.attempt, "a1-11", "the oldest go first");

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-history-"));
    try {
      const store = new FileSnapshotStore(dir);
      const ids = Array.from({ length: MAX_INLINE_REQUEST_IDS + 5 }, (_, i) => `req-${String(i).padStart(3, "0")}`);
      const { requestIds: _r, ...rest } = entry(0);
      const short = await historyEntry(store, { ...rest, requestIds: ids.slice(0, 3) });
      assert.deepEqual(short.requestIds, ids.slice(0, 3));
      assert.equal(short.requestIdsDigest, undefined);
      const long = await historyEntry(store, { ...rest, requestIds: ids });
      assert.deepEqual(long.requestIds, ids.slice(0, MAX_INLINE_REQUEST_IDS));
      assert.deepEqual([...(await store.get(long.requestIdsDigest as string))].sort(), ids, "every request id, in the snapshot");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
