import assert from "node:assert/strict";
import { forEachConcurrently } from "../../../provider/client/concurrency";
import { FakeClock } from "../../support/fake-clock";

describe("forEachConcurrently", () => {
  it("keeps at most N calls in flight and handles every item once", async () => {
    const clock = new FakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await clock.sleep(10 * item);
      seen.push(item);
      inFlight--;
    });
    assert.equal(maxInFlight, 3);
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6, 7]);
  });

  it("pulls items lazily", async () => {
    const pulled: number[] = [];
    function* items(): Generator<number> {
      for (let i = 0; i < 5; i++) {
        pulled.push(i);
        yield i;
      }
    }
    const clock = new FakeClock();
    let firstCallPulled = -1;
    await forEachConcurrently(items(), 2, async () => {
      if (firstCallPulled < 0) firstCallPulled = pulled.length;
      await clock.sleep(1);
    });
    assert.equal(firstCallPulled, 1);
  });

  it("starts nothing new after a failure, lets calls in flight finish, rethrows the first error", async () => {
    const clock = new FakeClock();
    const started: number[] = [];
    const finished: number[] = [];
    await assert.rejects(
      forEachConcurrently([1, 2, 3, 4, 5, 6], 2, async (item) => {
        started.push(item);
        await clock.sleep(item === 1 ? 5 : 50);
        if (item === 1) throw new Error("first");
        if (item === 2) {
          finished.push(item);
          throw new Error("second");
        }
      }),
      /first/,
    );
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(finished, [2]); // the call in flight ran to its end
  });

  it("rethrows an error raised while producing an item (e.g. a record too large)", async () => {
    function* items(): Generator<number> {
      yield 1;
      throw new RangeError("record too large");
    }
    const handled: number[] = [];
    await assert.rejects(forEachConcurrently(items(), 4, async (item) => void handled.push(item)), RangeError);
    assert.deepEqual(handled, [1]);
  });
});
