/**
 * One provider at a time per membership, and records that do not pile up, against the simulator:
 * the provider of a killed `pulumi` (an orphan, here another "process" the hold environment
 * knows of) still syncing the membership when the next up starts; and a deleted membership's
 * record kept with its history for the retention, then swept. Time is a fake clock throughout.
 */
import { strict as assert } from "node:assert";
import { hostname } from "node:os";
import { harnessPerTest, idRange as ids } from "../../support/membership-harness";
import { FakeClock } from "../../support/fake-clock";
import { idSetFrom, planMembership } from "../../../provider/plan";
import { syncMembership } from "../../../provider/membership/membership-sync";
import { membershipRecordName, readMembershipRecord, type MembershipSyncRecord } from "../../../provider/sync/set-sync-record";
import { SyncHeldError, type SyncHolder } from "../../../provider/sync/sync-hold";

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const DAY = 86_400_000;
const ORPHAN = 4242;

describe("membership provider: one provider at a time per membership, and records that do not pile up", function () {
  this.timeout(30_000);
  const h = harnessPerTest();
  let clock: FakeClock;
  /** Processes on this host the hold environment sees running. */
  let running: Set<number>;
  /** Runs after each virtual sleep of a waiting provider (the orphan's next steps). */
  let onSleep: (sleeps: number) => Promise<void>;

  beforeEach(() => {
    clock = new FakeClock({ startMs: Date.UTC(2025, 0, 1) });
    running = new Set([ORPHAN]);
    onSleep = async () => undefined;
    let sleeps = 0;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      await onSleep(++sleeps);
    };
    h.newProcess({ holds: { env: { clock, isProcessAlive: (pid) => running.has(pid) }, timing: { waitMs: 120_000, pollMs: 1_000 } } });
  });

  const orphanHolder = (): SyncHolder => ({ pid: ORPHAN, host: hostname(), token: "orphan", heartbeat: new Date(clock.now()).toISOString() });
  const recordName = (): string => membershipRecordName(h.audienceId, "COOKIE");

  /** The orphan's sync of v1 → v2: its record says "sending" (held), and the first `sentBefore` IDs of the plan reach Amazon. */
  async function orphanStarts(v1: readonly string[], v2: readonly string[], sentBefore: number): Promise<{ record: MembershipSyncRecord; finish(): Promise<void> }> {
    const store = h.context.store();
    const base = await store.put(idSetFrom(v1));
    const desired = await store.put(idSetFrom(v2));
    const record: MembershipSyncRecord = { v: 1, audienceId: h.audienceId, idType: "COOKIE", owner: "m", attempt: "orphan-attempt", at: new Date(clock.now()).toISOString(), stage: "sending", baseDigest: base, desiredDigest: desired };
    await store.writeRecord(recordName(), { ...record, holder: orphanHolder() });
    const plan = planMembership(idSetFrom(v1), idSetFrom(v2));
    const firstAdds = planMembership(idSetFrom(v1), idSetFrom([...v1, ...plan.adds.toArray().slice(0, sentBefore)]));
    await syncMembership(h.context.client(), firstAdds, { audienceId: h.audienceId, idType: "COOKIE" });
    return {
      record,
      finish: async () => {
        await syncMembership(h.context.client(), plan, { audienceId: h.audienceId, idType: "COOKIE" });
        await store.writeRecord(recordName(), { ...record, at: new Date(clock.now()).toISOString(), stage: "answered", appliedDigest: desired, inDoubtCount: 0 });
      },
    };
  }

  const v1 = ids("a", 0, 20);
  const v2 = [...ids("a", 5, 20), ...ids("b", 0, 16)];
  const v3 = [...ids("a", 0, 20), ...ids("b", 0, 4), ...ids("c", 0, 3)];

  it("an orphan still syncing: the up waits for it (saying so), then plans from what it recorded and converges", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    const orphan = await orphanStarts(v1, v2, 6);
    const patchesBefore = h.sim.store.requests().filter((r) => r.path === "/v2/dp/audience").length;
    onSleep = async (n) => {
      // It beats on for 20 s, then finishes: Amazon holds v2 and its record says so.
      if (n < 20) await h.context.store().writeRecord(recordName(), { ...orphan.record, holder: orphanHolder() });
      else if (n === 20) await orphan.finish();
    };
    const up = await h.up("m", v3);
    assert.equal(up.kind, "ok");
    assert.deepEqual(up.lines, [
      `m COOKIE: waiting for process ${ORPHAN} on host ${hostname()} (heartbeat 0 s ago), which is still syncing it (the provider of an earlier \`pulumi up\`), for up to 2 min`,
      `m COOKIE: process ${ORPHAN} on host ${hostname()} finished; planning from what it recorded`,
      // v2 → v3, exactly: what the orphan applied is not in doubt, it is recorded.
      "m COOKIE: +8 −12 IDs (19 unchanged)",
      "m COOKIE: sent +8 −12 in 5 requests",
    ]);
    assert.deepEqual(h.members(), sorted(v3));
    const orphanPatches = h.sim.store.requests().filter((r) => r.path === "/v2/dp/audience").length - patchesBefore;
    assert.ok(orphanPatches > 5, "the orphan's patches and the up's, none of the up's sent while the orphan was at work");
    const record = await readMembershipRecord(h.context.store(), h.audienceId, "COOKIE");
    assert.equal(record?.holder, undefined, "released");
    assert.equal((await h.up("m", v3)).changes, false);
  });

  it("an orphan still live after the bounded wait: one clean error naming the process, nothing sent", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    const orphan = await orphanStarts(v1, v2, 0);
    onSleep = async () => h.context.store().writeRecord(recordName(), { ...orphan.record, holder: orphanHolder() });
    const before = h.sim.store.requests().length;
    const error = await h.up("m", v3).then(
      () => assert.fail("the up went on"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SyncHeldError, String(error));
    assert.equal(
      error.message,
      `m COOKIE: process ${ORPHAN} on host ${hostname()} is still syncing it (last heartbeat 0 s ago; most likely the provider of an earlier \`pulumi up\` whose \`pulumi\` process was killed), ` +
        `and this up waited 2 min for it. Let it finish (or stop it: \`kill ${ORPHAN}\` on ${hostname()}), then run \`pulumi up\` again.`,
    );
    assert.equal(h.sim.store.requests().length, before, "nothing sent");
    // It finishes (or is stopped): the next up goes on from what it recorded.
    await orphan.finish();
    onSleep = async () => undefined;
    const next = await h.up("m", v3);
    assert.deepEqual(next.lines.slice(-2), ["m COOKIE: +8 −12 IDs (19 unchanged)", "m COOKIE: sent +8 −12 in 5 requests"]);
    assert.deepEqual(h.members(), sorted(v3));
  });

  it("an orphan that died mid-sync (its process gone) is taken over at once, as before: everything it may have sent is re-sent", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    await orphanStarts(v1, v2, 6);
    running.delete(ORPHAN);
    const up = await h.up("m", v3);
    assert.equal(clock.sleeps.length, 0, "no wait");
    assert.equal(up.lines[0], `m COOKIE: process ${ORPHAN} on host ${hostname()} stopped before it finished (it is gone); planning from what it recorded`);
    assert.match(up.lines[1] ?? "", /^m COOKIE: \+\d+ −\d+ IDs \(\d+ unchanged; 21 of them re-sent after an interrupted up: \+\d+ −\d+\)$/);
    assert.deepEqual(h.members(), sorted(v3));
  });

  it("a deleted membership's record keeps its history for the retention (90 days), then a later up removes it", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    clock.advance(DAY);
    assert.equal((await h.up("m", v2)).kind, "ok");
    clock.advance(DAY);
    assert.equal((await h.destroy("m")).kind, "ok");
    const deleted = recordName();
    const record = await readMembershipRecord(h.context.store(), h.audienceId, "COOKIE");
    assert.equal(record?.retiredAt, new Date(clock.now()).toISOString());
    assert.deepEqual(
      record?.history?.map((e) => [e.at.slice(0, 10), e.adds, e.removes, e.requests, e.requestIds.length, e.inDoubt]),
      [
        ["2025-01-01", 20, 0, 5, 5, 0],
        ["2025-01-02", 16, 5, 6, 6, 0],
        ["2025-01-03", 0, 31, 8, 8, 0],
      ],
    );
    const requestIds = new Set(h.sim.store.requests().map((r) => r.requestId));
    assert.ok(record?.history?.every((e) => e.requestIds.every((id) => requestIds.has(id))), "the simulator's own request ids");

    // Another membership's ups sweep the store: 89 days on the record stays, at 90 it goes.
    const other = await h.newAudience("Another audience");
    clock.advance(89 * DAY);
    assert.equal((await h.up("n", ids("z", 0, 3))).kind, "ok");
    assert.ok((await h.context.store().listRecords("membership-")).includes(deleted), "kept within the retention");
    h.newProcess(); // the next provider process
    clock.advance(DAY);
    const later = await h.up("n", ids("z", 0, 4));
    assert.ok(later.lines.includes(`removed 1 sync record of deleted resources, kept past the history retention: ${deleted}`), later.lines.join("\n"));
    const left = await h.context.store().listRecords("membership-");
    assert.ok(!left.includes(deleted) && left.includes(membershipRecordName(other, "COOKIE")), left.join(", "));
    // The live membership's history dropped nothing within the retention.
    assert.equal((await readMembershipRecord(h.context.store(), other, "COOKIE"))?.history?.length, 2);
  });
});
