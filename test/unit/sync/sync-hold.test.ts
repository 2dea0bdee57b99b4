import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileSnapshotStore } from "../../../provider/snapshots";
import {
  awaitRelease,
  DEFAULT_HOLD_TIMING,
  holderOf,
  holderState,
  isProcessAlive,
  SyncHeldError,
  SyncHold,
  type HoldEnvironment,
  type SyncHolder,
} from "../../../provider/sync/sync-hold";
import { FakeClock } from "../../support/fake-clock";

/** A hold environment on a fake clock, with the other processes it knows of, and heartbeats ticked by hand. */
function environment(clock: FakeClock, alive: readonly number[] = []): HoldEnvironment & { tick(): void } {
  const ticks = new Set<() => void>();
  return {
    clock,
    self: { pid: 100, host: "here", token: "self-token" },
    isProcessAlive: (pid) => alive.includes(pid),
    every(_ms, tick) {
      ticks.add(tick);
      return () => ticks.delete(tick);
    },
    tick: () => ticks.forEach((t) => t()),
  };
}

const holder = (over: Partial<SyncHolder>, clock: FakeClock): SyncHolder => ({ pid: 4242, host: "here", token: "other", heartbeat: new Date(clock.now()).toISOString(), ...over });

describe("records/sync-hold: one provider process at a time per sync record", () => {
  let dir: string;
  let store: FileSnapshotStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-hold-"));
    store = new FileSnapshotStore(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("tells a live holder from a gone one: same host by pid and heartbeat, another host by heartbeat alone", () => {
    const clock = new FakeClock();
    const env = environment(clock, [4242]);
    const timing = { staleMs: 60_000 };
    const old = new Date(clock.now() - 61_000).toISOString();
    const cases: Array<[string, SyncHolder | undefined, boolean, string?]> = [
      ["nobody", undefined, false, "none"],
      ["same host, running, fresh heartbeat", holder({}, clock), true],
      ["same host, process gone, fresh heartbeat", holder({ pid: 4343 }, clock), false, "exited"],
      ["same host, running, silent for 61 s (a reused pid, or hung)", holder({ heartbeat: old }, clock), false, "silent"],
      ["another host, fresh heartbeat (its pid means nothing here)", holder({ host: "there", pid: 4343 }, clock), true],
      ["another host, silent for 61 s", holder({ host: "there", heartbeat: old }, clock), false, "silent"],
      ["an unreadable heartbeat", holder({ heartbeat: "soon" }, clock), false, "silent"],
      ["this process, not holding it now (its call ended)", holder({ token: "self-token", pid: 100 }, clock), false, "exited"],
    ];
    for (const [what, h, live, why] of cases) {
      const state = holderState("membership-1-COOKIE", h, env, timing);
      assert.equal(state.live, live, what);
      if (!state.live) assert.equal(state.why, why, what);
    }
    assert.equal(holderOf({ holder: { pid: "1", host: "h", token: "t", heartbeat: "x" } }), undefined, "a malformed holder is none");
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(2 ** 22 + 7), false, "above Linux's largest pid");
  });

  it("waits for a live holder, says so once, and returns the record it leaves", async () => {
    const clock = new FakeClock();
    const env = environment(clock, [4242]);
    await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "sending", holder: holder({}, clock) });
    const lines: string[] = [];
    let looks = 0;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      // The holder beats on, then finishes 30 s in.
      if (++looks === 30) await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "answered" });
      else await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "sending", holder: holder({}, clock) });
    };
    const found = await awaitRelease(store, "membership-1-COOKIE", { env, timing: DEFAULT_HOLD_TIMING, subject: "vip COOKIE", say: async (l) => void lines.push(l) });
    assert.deepEqual(found, { v: 1, stage: "answered" });
    assert.equal(clock.now() - new FakeClock().now(), 30_000, "30 looks, 1 s apart (virtual time)");
    assert.deepEqual(lines, [
      "vip COOKIE: waiting for process 4242 on host here (heartbeat 0 s ago), which is still syncing it (the provider of an earlier `pulumi up`), for up to 10 min",
      "vip COOKIE: process 4242 on host here finished; planning from what it recorded",
    ]);
  });

  it("stops after the bounded wait with one message naming the process, when the holder is still live", async () => {
    const clock = new FakeClock();
    const env = environment(clock, [4242]);
    const keepBeating = async (): Promise<void> => store.writeRecord("membership-1-COOKIE", { v: 1, stage: "sending", holder: holder({}, clock) });
    await keepBeating();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      await keepBeating();
    };
    const timing = { ...DEFAULT_HOLD_TIMING, waitMs: 120_000, pollMs: 5_000 };
    const error = await awaitRelease(store, "membership-1-COOKIE", { env, timing, subject: "vip COOKIE", say: async () => undefined }).then(
      () => assert.fail("no error"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SyncHeldError);
    assert.equal(
      error.message,
      "vip COOKIE: process 4242 on host here is still syncing it (last heartbeat 0 s ago; most likely the provider of an earlier `pulumi up` whose `pulumi` process was killed), " +
        "and this up waited 2 min for it. Let it finish (or stop it: `kill 4242` on here), then run `pulumi up` again.",
    );
    assert.equal(clock.sleeps.length, 24, "120 s in looks 5 s apart");
  });

  it("takes over a dead holder's record at once, as it stands, and says whose it was", async () => {
    const clock = new FakeClock();
    const env = environment(clock, []);
    await store.writeRecord("membership-1-COOKIE", { v: 1, stage: "sending", attempt: "A", holder: holder({}, clock) });
    const lines: string[] = [];
    const hold = await SyncHold.take(store, "membership-1-COOKIE", { env, timing: DEFAULT_HOLD_TIMING, subject: "vip COOKIE", say: async (l) => void lines.push(l), onHeartbeatError: assert.fail });
    assert.equal(clock.sleeps.length, 0, "no wait");
    assert.deepEqual(lines, ["vip COOKIE: process 4242 on host here stopped before it finished (it is gone); planning from what it recorded"]);
    assert.deepEqual(hold.found, { v: 1, stage: "sending", attempt: "A", holder: holder({}, clock) });
    assert.deepEqual(holderOf(await store.readRecord("membership-1-COOKIE")), { pid: 100, host: "here", token: "self-token", heartbeat: new Date(clock.now()).toISOString() });
    hold.end();
  });

  it("while held: writes carry the holder, heartbeats renew it without undoing a later write, release clears it", async () => {
    const clock = new FakeClock();
    const env = environment(clock, []);
    const other = environment(clock, [100]);
    other.self.token = "another-process";
    other.self.pid = 200;
    const hold = await SyncHold.take(store, "records-upload-x", { env, timing: DEFAULT_HOLD_TIMING, subject: "records x", say: async () => undefined, onHeartbeatError: assert.fail });
    assert.equal(await store.readRecord("records-upload-x"), undefined, "nothing to write back when there was no record");
    await hold.write({ v: 1, stage: "sending" });
    const read = async (): Promise<Record<string, unknown>> => (await store.readRecord("records-upload-x")) as Record<string, unknown>;
    assert.equal((await read()).holder !== undefined, true);
    assert.equal(holderState("records-upload-x", holderOf(await read()), other, DEFAULT_HOLD_TIMING).live, true, "another process sees it live");

    clock.advance(50_000);
    env.tick();
    const later = hold.write({ v: 1, stage: "answered" });
    await later;
    assert.equal((await read()).stage, "answered", "the heartbeat queued before the write did not overwrite it");
    clock.advance(50_000);
    env.tick();
    await hold.write({ v: 1, stage: "answered", n: 2 });
    assert.equal(holderOf(await read())?.heartbeat, new Date(clock.now()).toISOString(), "renewed");
    assert.equal(holderState("records-upload-x", holderOf(await read()), other, DEFAULT_HOLD_TIMING).live, true, "100 s in, still live to others");

    await hold.release({ retiredAt: "2025-01-01T00:00:00.000Z" });
    assert.deepEqual(await read(), { v: 1, stage: "answered", n: 2, retiredAt: "2025-01-01T00:00:00.000Z" });
    await assert.rejects(hold.write({ v: 1 }), /written after its hold ended/);
  });

  it("a hold that ended without release leaves a holder that this process, and others once the process is gone, take over", async () => {
    const clock = new FakeClock();
    const env = environment(clock, []);
    const options = { env, timing: DEFAULT_HOLD_TIMING, subject: "vip COOKIE", say: async () => undefined, onHeartbeatError: assert.fail };
    const first = await SyncHold.take(store, "membership-1-COOKIE", options);
    await first.write({ v: 1, stage: "sending" });
    // While it is held here, another call of this process waits for it.
    const waiting = SyncHold.take(store, "membership-1-COOKIE", { ...options, timing: { ...DEFAULT_HOLD_TIMING, waitMs: 3_000 } });
    await assert.rejects(waiting, SyncHeldError);
    first.end(); // cut short: no write
    assert.equal(holderOf(await store.readRecord("membership-1-COOKIE"))?.pid, 100);
    const second = await SyncHold.take(store, "membership-1-COOKIE", options);
    assert.deepEqual((second.found as { stage: string }).stage, "sending");
    second.end();
  });
});
