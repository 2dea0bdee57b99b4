import { strict as assert } from "node:assert";
import { runCheckpoints, type Checkpoint } from "../../support/checkpoints";

/** A stand-in for mocha's context: its timeout, and every call that set it. */
function fakeContext(timeoutMs: number): { context: Mocha.Context; set: number[] } {
  const set: number[] = [];
  const context = {
    timeout(ms?: number): unknown {
      if (ms === undefined) return timeoutMs;
      set.push(ms);
      return context;
    },
  };
  return { context: context as unknown as Mocha.Context, set };
}

describe("test support: scenario checkpoints", () => {
  it("runs the checkpoints in order with the test's context, restarting its timeout for each, and logs each passed", async () => {
    const { context, set } = fakeContext(600_000);
    const ran: string[] = [];
    const lines: string[] = [];
    const checkpoints: Checkpoint[] = ["create", "update", "delete"].map((name) => ({
      name,
      async body() {
        assert.equal(this, context);
        ran.push(name);
      },
    }));
    await runCheckpoints(checkpoints, context, (line) => lines.push(line));
    assert.deepEqual(ran, ["create", "update", "delete"]);
    assert.deepEqual(set, [600_000, 600_000, 600_000]);
    assert.deepEqual(lines.map((l) => l.trim()), ['✓ checkpoint 1/3 "create"', '✓ checkpoint 2/3 "update"', '✓ checkpoint 3/3 "delete"']);
  });

  it("stops at the first failing checkpoint and names it in the error, keeping the error's class and details", async () => {
    const { context } = fakeContext(1000);
    const ran: string[] = [];
    const checkpoints: Checkpoint[] = [
      { name: "create", body: () => void ran.push("create") },
      { name: "a second preview is empty", body: () => assert.equal(3, 0, "3 changes pending") },
      { name: "destroy", body: () => void ran.push("destroy") },
    ];
    await assert.rejects(runCheckpoints(checkpoints, context, () => undefined), (error: unknown) => {
      assert.ok(error instanceof assert.AssertionError);
      assert.match(error.message, /^checkpoint 2\/3 "a second preview is empty": 3 changes pending/);
      assert.equal(error.actual, 3);
      return true;
    });
    assert.deepEqual(ran, ["create"], "nothing after the failing checkpoint ran");
  });

  it("names the checkpoint of a thrown non-error too", async () => {
    const { context } = fakeContext(1000);
    await assert.rejects(
      runCheckpoints([{ name: "up", body: () => Promise.reject("exit 255") }], context, () => undefined),
      (error: unknown) => error instanceof Error && error.message === 'checkpoint 1/1 "up": exit 255',
    );
  });
});
