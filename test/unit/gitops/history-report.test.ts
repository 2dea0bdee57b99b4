import { strict as assert } from "node:assert";
import { idTimeline, membershipReport, requestIdsOf, type MembershipHistorySource, type RequestIds } from "../../../provider/gitops/history-report";
import type { SyncHistoryEntry } from "../../../provider/sync/sync-history";

const entry = (day: number, over: Partial<SyncHistoryEntry> = {}): SyncHistoryEntry => ({
  at: `2025-01-0${day}T12:00:00.000Z`,
  attempt: `attempt-${day}`,
  adds: day,
  removes: 0,
  requests: 1,
  requestIds: [`req-${day}`],
  inDoubt: 0,
  appliedDigest: `${day}`.repeat(64),
  ...over,
});

const source = (entries: SyncHistoryEntry[]): MembershipHistorySource => ({ key: "loyal", idType: "COOKIE", audienceId: "72057594038053891", unanswered: false, entries });
const inline = (s: MembershipHistorySource) => (i: number): RequestIds => requestIdsOf(s.entries[i] as SyncHistoryEntry, undefined);

describe("history report (pure)", () => {
  describe("an ID's timeline from whether each sync's applied set has it", () => {
    const cases: Array<{ name: string; presence: Array<boolean | undefined>; changes: string[]; now: boolean | undefined }> = [
      { name: "never a member", presence: [false, false, false], changes: [], now: false },
      { name: "added, then removed", presence: [false, true, true, false], changes: ["added@2", "removed@4"], now: false },
      { name: "in the oldest kept set: present there, not invented as added", presence: [true, true, false, true], changes: ["present@1", "removed@3", "added@4"], now: true },
      { name: "an unreadable set: unknown once per run, then present again where known", presence: [false, undefined, undefined, true], changes: ["unknown@2", "present@4"], now: true },
      { name: "the oldest set unreadable", presence: [undefined, false, true], changes: ["unknown@1", "added@3"], now: true },
      { name: "the latest set unreadable: membership now unknown", presence: [true, undefined], changes: ["present@1", "unknown@2"], now: undefined },
      { name: "no sync kept", presence: [], changes: [], now: undefined },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const s = source(c.presence.map((_, i) => entry(i + 1)));
        const t = idTimeline(s, c.presence, inline(s));
        assert.deepEqual(t.changes.map((x) => `${x.change}@${x.at.slice(9, 10)}`), c.changes);
        assert.equal(t.memberNow, c.now);
      });
    }

    it("each change carries its sync's request ids, and says when the sync stopped part-way", () => {
      const s = source([entry(1), entry(2, { failed: true, requestIds: ["r-a", "r-b"], requests: 2 })]);
      const [added] = idTimeline(s, [false, true], inline(s)).changes;
      assert.deepEqual(added, { change: "added", at: "2025-01-02T12:00:00.000Z", requestIds: ["r-a", "r-b"], requestIdsComplete: true, requests: 2, failed: true });
    });
  });

  it("request ids: the inline ones in send order, then the rest of the stored set; incomplete when it cannot be read", () => {
    const e = entry(1, { requestIds: ["r3", "r1"], requestIdsDigest: "f".repeat(64), requests: 4 });
    assert.deepEqual(requestIdsOf(e, ["r1", "r2", "r3", "r4"]), { ids: ["r3", "r1", "r2", "r4"], complete: true });
    assert.deepEqual(requestIdsOf(e, undefined), { ids: ["r3", "r1"], complete: false });
    assert.deepEqual(requestIdsOf(entry(2), undefined), { ids: ["req-2"], complete: true });
  });

  it("a membership's syncs newest first, the newest `last` of them, re-sends only when there were any", () => {
    const s = source([entry(1), entry(2, { resent: { adds: 0, removes: 0 } }), entry(3, { resent: { adds: 2, removes: 1 }, inDoubt: 4, failed: true })]);
    const all = membershipReport(s);
    assert.deepEqual(all.syncs.map((x) => [x.at.slice(0, 10), x.adds, x.resent, x.inDoubt, x.failed]), [
      ["2025-01-03", 3, { adds: 2, removes: 1 }, 4, true],
      ["2025-01-02", 2, undefined, 0, false],
      ["2025-01-01", 1, undefined, 0, false],
    ]);
    assert.ok(!("resent" in (all.syncs[1] as object)), "no empty re-send");
    const last = membershipReport(s, { last: 2 });
    assert.deepEqual([last.syncCount, last.syncs.map((x) => x.adds)], [3, [3, 2]]);
  });
});
