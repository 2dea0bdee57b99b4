import { strict as assert } from "node:assert";
import { DspHttpError, DspNetworkError, type KeyedBatch } from "../../../provider/client";
import { sendTracked, type TrackedOutcome, type TrackedSendResult } from "../../../provider/sync/tracked-send";

/** The keys of the bodies that ended in `outcome`, in completion order. */
function keysWith<K>(result: TrackedSendResult<K, unknown>, outcome: TrackedOutcome): K[] {
  return result.bodies.filter((b) => b.outcome === outcome).flatMap((b) => [...b.keys]);
}

const op = { operation: "PATCH /v2/dp/users" };

/** Bodies carrying keys [0,1], [2,3], … (the body bytes do not matter to the tracker). */
function bodies(count: number): Array<KeyedBatch<number>> {
  return Array.from({ length: count }, (_, i) => ({ body: Buffer.from(`b${i}`), bytes: 2, ops: 2, keys: [2 * i, 2 * i + 1] }));
}

/** A resolvable promise, so a test decides when each send answers (no wall clock). */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(e: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("records/tracked-send", () => {
  it("sends every body once and records each as accepted with its answer", async () => {
    const sent: number[][] = [];
    const result = await sendTracked(bodies(3), async (b) => {
      sent.push(b.keys);
      return `req-${b.keys[0]}`;
    });
    assert.equal(result.error, undefined);
    assert.deepEqual(sent, [[0, 1], [2, 3], [4, 5]]);
    assert.deepEqual(keysWith(result, "accepted"), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(result.bodies.map((b) => b.answer), ["req-0", "req-2", "req-4"]);
  });

  it("keeps at most `concurrency` sends in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const pending: Array<() => void> = [];
    const run = sendTracked(
      bodies(10),
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        const d = deferred<void>();
        pending.push(() => d.resolve());
        await d.promise;
        inFlight--;
      },
      { concurrency: 3 },
    );
    let done = false;
    void run.then(() => (done = true));
    // Answer the sends one at a time as they come in (10 bodies need far fewer turns than the bound).
    for (let turn = 0; !done; turn++) {
      assert.ok(turn < 1000, `the send has not finished after ${turn} turns`);
      await new Promise<void>((r) => setImmediate(r));
      pending.shift()?.();
    }
    const result = await run;
    assert.equal(most, 3);
    assert.equal(result.bodies.length, 10);
  });

  it("classifies failures: a rejecting 4xx proves nothing applied, a 5xx or a sent-then-dropped request is unknown", async () => {
    const cases: Array<[unknown, string]> = [
      [new DspHttpError({ ...op, status: 400 }), "rejected"],
      [new DspHttpError({ ...op, status: 503 }), "unknown"],
      [new DspNetworkError({ ...op, cause: new Error("socket hang up"), requestMayHaveBeenSent: true }), "unknown"],
      [new DspNetworkError({ ...op, code: "ECONNREFUSED", requestMayHaveBeenSent: false }), "rejected"],
    ];
    for (const [error, outcome] of cases) {
      const result = await sendTracked(bodies(2), async (b) => {
        if (b.keys[0] === 2) throw error;
      });
      assert.equal(result.error, error);
      assert.deepEqual(keysWith(result, "accepted"), [0, 1]);
      assert.deepEqual(keysWith(result, outcome as TrackedOutcome), [2, 3], `${String(error)}`);
    }
  });

  it("starts no body after the first failure, but records the ones in flight", async () => {
    const gates = new Map<number, ReturnType<typeof deferred<string>>>();
    const started: number[] = [];
    const run = sendTracked(
      bodies(6),
      (b) => {
        const first = b.keys[0] as number;
        started.push(first);
        const d = deferred<string>();
        gates.set(first, d);
        return d.promise;
      },
      { concurrency: 2 },
    );
    await new Promise<void>((r) => setImmediate(r));
    assert.deepEqual(started, [0, 2]);
    gates.get(0)?.reject(new DspHttpError({ ...op, status: 500 }));
    await new Promise<void>((r) => setImmediate(r));
    gates.get(2)?.resolve("late");
    const result = await run;
    assert.deepEqual(started, [0, 2], "nothing new after the failure");
    assert.deepEqual(keysWith(result, "unknown"), [0, 1]);
    assert.deepEqual(keysWith(result, "accepted"), [2, 3]);
  });

  it("a failing source stops the send, keeps what was accepted and closes the source", async () => {
    let closed = false;
    async function* source(): AsyncGenerator<KeyedBatch<number>, void, undefined> {
      try {
        yield* bodies(2);
        throw new Error("bad.csv: row 22");
      } finally {
        closed = true;
      }
    }
    const result = await sendTracked(source(), async () => "ok");
    assert.match(result.error?.message ?? "", /row 22/);
    assert.deepEqual(keysWith(result, "accepted"), [0, 1, 2, 3]);
    assert.ok(closed);
  });

  it("closes a source it stopped reading early", async () => {
    let closed = false;
    function* source(): Generator<KeyedBatch<number>, void, undefined> {
      try {
        yield* bodies(5);
      } finally {
        closed = true;
      }
    }
    const result = await sendTracked(source(), async () => {
      throw new DspHttpError({ ...op, status: 403 });
    });
    assert.equal(result.bodies.length, 1);
    assert.ok(closed);
  });

  it("hears each outcome as it is known", async () => {
    const heard: string[] = [];
    await sendTracked(bodies(2), async (b) => b.keys[0], { onOutcome: (o) => heard.push(`${o.outcome}:${o.keys.join(",")}`) });
    assert.deepEqual(heard, ["accepted:0,1", "accepted:2,3"]);
  });
});
