/**
 * `dsp-audiences history` over the sync records the membership provider really writes, against
 * the in-process simulator: each sync with the simulator's own request ids, re-sends after a sync
 * the answers left in doubt, when one ID was added and removed, the spec's retention, and request
 * ids kept as a set. Time is a fake clock.
 */
import { strict as assert } from "node:assert";
import { harnessPerTest, idRange as ids } from "../../support/membership-harness";
import { FakeClock } from "../../support/fake-clock";
import { historyReport } from "../../../provider/gitops/history-reading";
import type { StackResources } from "../../../provider/gitops/stack-export";
import { renderHistoryMarkdown } from "../../../provider/gitops/render-history";

const DAY = 86_400_000;
const PATCH = ["PATCH /v2/dp/audience"];

describe("history: a stack's syncs and one ID's story, from the records the membership provider wrote", function () {
  this.timeout(30_000);
  const h = harnessPerTest();
  let clock: FakeClock;

  beforeEach(() => {
    clock = new FakeClock({ startMs: Date.UTC(2025, 0, 1, 9) });
    h.newProcess({ holds: { env: { clock } } });
    h.extraInputs = {};
  });

  const stack = (): StackResources => ({ audiences: [{ key: "m", audienceId: h.audienceId }], memberships: [{ key: "m", idType: "COOKIE", audienceId: h.audienceId }] });

  /** The ids of the accepted membership patches the simulator logged from `since` (a log length) on, up to `until`. */
  const acceptedPatchIds = (since: number, until?: number): string[] =>
    h.sim.store
      .requests()
      .slice(since, until)
      .filter((r) => r.path === "/v2/dp/audience" && r.status >= 200 && r.status < 300)
      .map((r) => r.requestId);

  const v1 = ids("a", 0, 20);
  const v2 = [...ids("a", 0, 10), ...ids("b", 0, 12)];

  it("lists each sync newest first, with the simulator's request ids and what a failed sync left to re-send", async () => {
    const logAt: number[] = [];
    logAt.push(h.sim.store.requests().length);
    assert.equal((await h.up("m", v1)).kind, "ok");
    clock.advance(DAY);
    // Every patch of the change to v2 is applied by Amazon and answered 500: 12 IDs in doubt.
    h.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: PATCH, count: 100 });
    logAt.push(h.sim.store.requests().length);
    assert.equal((await h.up("m", v2)).kind, "partial");
    h.sim.setFaults({});
    clock.advance(DAY);
    logAt.push(h.sim.store.requests().length);
    assert.equal((await h.up("m", v1)).kind, "ok");

    const report = await historyReport(h.context.store(), stack());
    assert.equal(report.memberships.length, 1);
    const [m] = report.memberships;
    assert.deepEqual(
      m?.syncs.map((s) => [s.at, s.adds, s.removes, s.resent, s.requests, s.inDoubt, s.failed]),
      [
        ["2025-01-03T09:00:00.000Z", 10, 2, { adds: 10, removes: 2 }, 3, 0, false],
        ["2025-01-02T09:00:00.000Z", 0, 0, undefined, 0, 12, true],
        ["2025-01-01T09:00:00.000Z", 20, 0, undefined, 5, 0, false],
      ],
    );
    // The request ids are the simulator's, sync by sync (the failed one had none accepted).
    assert.deepEqual(m?.syncs[0]?.requestIds, acceptedPatchIds(logAt[2] as number));
    assert.deepEqual(m?.syncs[2]?.requestIds, acceptedPatchIds(logAt[0] as number).slice(0, 5));
    assert.ok(m?.syncs.every((s) => s.requestIdsComplete));

    const markdown = renderHistoryMarkdown(report);
    assert.match(markdown, /\| 2025-01-03 09:00:00 \| \+10 −2 \| \+10 −2 \| 3 \| `[^`]+`, `[^`]+`, `[^`]+` \| {2}\|/);
    assert.match(markdown, /\| 2025-01-02 09:00:00 \| \+0 −0 \| {2}\| 0 \| {2}\| stopped part-way; 12 in doubt \|/);
  });

  it("tells when an ID was added and removed, with the request ids of those syncs, reading at most one whole set", async () => {
    // Small changes of a larger set: the desired sets are stored as deltas, as they are in use.
    const large = ids("a", 0, 40);
    const changed = [...ids("a", 0, 15), ...ids("a", 17, 40), ...ids("b", 0, 3)];
    assert.equal((await h.up("m", large)).kind, "ok");
    clock.advance(DAY);
    const beforeV2 = h.sim.store.requests().length;
    assert.equal((await h.up("m", changed)).kind, "ok");
    clock.advance(DAY);
    const beforeBack = h.sim.store.requests().length;
    assert.equal((await h.up("m", large)).kind, "ok");

    h.wholeReads.length = 0;
    const removedAndBack = (await historyReport(h.context.store(), stack(), { id: "a15" })).id;
    assert.ok(h.wholeReads.length <= 1, `whole sets read: ${h.wholeReads.join(", ")}`);
    assert.deepEqual(removedAndBack?.notValidFor, []);
    const [timeline] = removedAndBack?.memberships ?? [];
    assert.deepEqual(
      timeline?.changes.map((c) => [c.change, c.at]),
      [
        ["present", "2025-01-01T09:00:00.000Z"],
        ["removed", "2025-01-02T09:00:00.000Z"],
        ["added", "2025-01-03T09:00:00.000Z"],
      ],
    );
    assert.deepEqual(timeline?.changes[1]?.requestIds, acceptedPatchIds(beforeV2, beforeBack));
    assert.deepEqual(timeline?.changes[2]?.requestIds, acceptedPatchIds(beforeBack));
    assert.equal(timeline?.memberNow, true);

    const addedThenRemoved = (await historyReport(h.context.store(), stack(), { id: "b1" })).id?.memberships[0];
    assert.deepEqual(addedThenRemoved?.changes.map((c) => c.change), ["added", "removed"]);
    assert.equal(addedThenRemoved?.memberNow, false);

    const never = (await historyReport(h.context.store(), stack(), { id: "zz9" })).id?.memberships[0];
    assert.deepEqual([never?.changes, never?.memberNow], [[], false]);

    // Nothing repeats the value, in the form given or as the sets hold it.
    const maid = await historyReport(h.context.store(), stack(), { id: "6F1C2E4A-1B2C-4D5E-8F90-A1B2C3D4E5F6" });
    assert.deepEqual(maid.id?.memberships.map((t) => [t.key, t.idType, t.changes.length, t.memberNow]), [["m", "COOKIE", 0, false]]);
    const text = JSON.stringify(maid) + renderHistoryMarkdown(maid);
    assert.ok(!/6f1c2e4a/i.test(text), "the ID is never printed");
  });

  it("keeps the syncs within the spec's retention, whatever dsp:historyRetentionDays says", async () => {
    h.extraInputs = { historyRetentionDays: 2 };
    process.env.DSP_HISTORY_RETENTION_DAYS = "90";
    try {
      assert.equal((await h.up("m", v1)).kind, "ok");
      clock.advance(DAY);
      assert.equal((await h.up("m", v2)).kind, "ok");
      clock.advance(DAY + 1);
      assert.equal((await h.up("m", v1)).kind, "ok");
    } finally {
      delete process.env.DSP_HISTORY_RETENTION_DAYS;
    }
    const [m] = (await historyReport(h.context.store(), stack())).memberships;
    assert.deepEqual(m?.syncs.map((s) => s.at.slice(0, 10)), ["2025-01-03", "2025-01-02"], "the first sync is older than 2 days");
    // An ID whose first kept set has it is "present" there: the dropped sync that added it is not invented.
    const [t] = (await historyReport(h.context.store(), stack(), { id: "a15" })).id?.memberships ?? [];
    assert.deepEqual(t?.changes.map((c) => c.change), ["added"]);
  });

  it("reads the full request-id list a record keeps as a set past the first 20", async () => {
    const before = h.sim.store.requests().length;
    assert.equal((await h.up("m", ids("r", 0, 100))).kind, "ok");
    const [m] = (await historyReport(h.context.store(), stack())).memberships;
    const sync = m?.syncs[0];
    assert.equal(sync?.requests, 25, "4 patches a request");
    assert.equal(sync?.requestIdsComplete, true);
    const logged = acceptedPatchIds(before);
    assert.deepEqual(sync?.requestIds.slice(0, 20), logged.slice(0, 20), "the first 20 in the order they were sent");
    assert.deepEqual([...(sync?.requestIds ?? [])].sort(), [...logged].sort());
    const last2 = (await historyReport(h.context.store(), stack(), { last: 1 })).memberships[0];
    assert.deepEqual([last2?.syncCount, last2?.syncs.length], [1, 1]);
  });
});
