/**
 * The same holding rule where an audience's records guard a send, against the simulator: a
 * metadata PUT or a create waits for a live holder of its record (the provider of a killed
 * `pulumi`), and a deleted audience's records are retired, then swept after the retention.
 */
import { strict as assert } from "node:assert";
import { hostname } from "node:os";
import type { AudienceOutputs } from "../../../provider/audience/audience-provider";
import { sweepRetiredOnce } from "../../../provider/provider-process/record-holds";
import { createRecordName, metadataRecordName } from "../../../provider/audience/audience-record";
import { SyncHeldError } from "../../../provider/sync/sync-hold";
import { MembershipHarness, audienceInputsMaker, captureLines } from "../../support/membership-harness";
import { FakeClock } from "../../support/fake-clock";

const ORPHAN = 5151;
const DAY = 86_400_000;

describe("audience provider: one provider at a time per audience record, and retired records", function () {
  this.timeout(30_000);
  const h = new MembershipHarness();
  let clock: FakeClock;
  let onSleep: () => Promise<void>;
  before(() => h.start());
  after(() => h.stop());
  beforeEach(() => {
    clock = new FakeClock({ startMs: Date.UTC(2025, 0, 1) });
    onSleep = async () => undefined;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      await onSleep();
    };
    h.newProcess({ holds: { env: { clock, isProcessAlive: (pid) => pid === ORPHAN }, timing: { waitMs: 60_000, pollMs: 1_000 } } });
  });

  const inputs = audienceInputsMaker("holds", "Audience with held records");
  const orphanHolder = (): object => ({ pid: ORPHAN, host: hostname(), token: "orphan", heartbeat: new Date(clock.now()).toISOString() });

  it("a metadata PUT waits for an orphan still sending one, then plans from what the orphan left in doubt", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    const held = created.outs as AudienceOutputs;
    const name = metadataRecordName(created.id);
    const orphanRecord = { v: 1, attempt: "orphan", at: new Date(clock.now()).toISOString(), stage: "sending", fields: ["ttl"] };
    await h.context.store().writeRecord(name, { ...orphanRecord, holder: orphanHolder() });
    let looks = 0;
    onSleep = async () => {
      if (++looks < 5) await h.context.store().writeRecord(name, { ...orphanRecord, holder: orphanHolder() });
      else if (looks === 5) await h.context.store().writeRecord(name, { ...orphanRecord, stage: "answered" }); // its answer was lost
    };
    const lines: string[] = [];
    // The spec is unchanged, yet the orphan's PUT left ttl in doubt: a change, known only after the wait.
    const diff = await captureLines(lines, () => h.audiences.diff!(created.id, held, v1));
    assert.equal(lines[0], `audience "${v1.name}" (${created.id}): waiting for process ${ORPHAN} on host ${hostname()} (heartbeat 0 s ago), which is still syncing it (the provider of an earlier \`pulumi up\`), for up to 1 min`);
    assert.equal(diff.changes, true);
    const puts = (): number => h.sim.store.requests().filter((r) => r.method === "PUT").length;
    const before = puts();
    const outs = (await h.audiences.update!(created.id, held, v1)).outs as AudienceOutputs;
    assert.equal(puts() - before, 1);
    assert.deepEqual(outs.metadataInDoubt, []);
    assert.equal((await h.context.store().readRecord(name) as { holder?: unknown }).holder, undefined, "released");
    assert.equal((await h.audiences.diff!(created.id, outs, v1)).changes, false);
  });

  it("a create stops with one message naming the process when an orphan holds its record past the wait", async () => {
    const v1 = inputs();
    const name = createRecordName(v1.advertiserId, v1.externalAudienceId);
    const orphanRecord = { v: 1, advertiserId: v1.advertiserId, externalAudienceId: v1.externalAudienceId, name: v1.name, attempt: "orphan", at: new Date(clock.now()).toISOString(), stage: "sending" };
    onSleep = () => h.context.store().writeRecord(name, { ...orphanRecord, holder: orphanHolder() });
    await onSleep();
    const audiences = h.sim.store.listAudiences().length;
    await assert.rejects(h.audiences.create(v1), (e: unknown) => e instanceof SyncHeldError && e.message.startsWith(`audience "${v1.name}": process ${ORPHAN} on host ${hostname()} is still syncing it`));
    assert.equal(h.sim.store.listAudiences().length, audiences, "nothing created");
  });

  it("a deleted audience's records are retired, and removed once the retention has passed", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    const outs = (await h.audiences.update!(created.id, created.outs as AudienceOutputs, { ...v1, description: "second" })).outs as AudienceOutputs;
    await h.audiences.delete!(created.id, outs);
    const names = [createRecordName(v1.advertiserId, v1.externalAudienceId), metadataRecordName(created.id)];
    for (const name of names) assert.equal((await h.context.store().readRecord(name) as { retiredAt?: string }).retiredAt, new Date(clock.now()).toISOString(), name);
    clock.advance(90 * DAY);
    h.newProcess(); // the next provider process
    await sweepRetiredOnce(h.context);
    for (const name of names) assert.equal(await h.context.store().readRecord(name), undefined, name);
  });
});
