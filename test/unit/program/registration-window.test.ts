import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { engineParallelism, registrationWindow, windowSize } from "../../../provider/program/registration-window";

/** A stand-in for a declared resource whose registration the test ends. */
interface Declared {
  name: string;
  end(): void;
}

function declared(name: string): Declared & { settled: Promise<void> } {
  let end!: () => void;
  const settled = new Promise<void>((resolve) => (end = resolve));
  return { name, end, settled };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("registration window", () => {
  it("is half the engine's --parallel, at least one, and none for an unlimited engine", () => {
    assert.equal(windowSize(8), 4);
    assert.equal(windowSize(1), 1);
    assert.equal(windowSize(3), 1);
    assert.equal(windowSize(2147483647), undefined);
    assert.equal(windowSize(undefined), undefined);
    assert.equal(windowSize(-1), undefined);
  });

  it("reads --parallel as the SDK's run hands it to the program", () => {
    assert.equal(engineParallelism({ PULUMI_NODEJS_PARALLEL: "8" }), 8);
    assert.equal(engineParallelism({}), undefined);
    assert.equal(engineParallelism({ PULUMI_NODEJS_PARALLEL: "many" }), undefined);
  });

  it("declares at once while fewer than its size are in flight, then one as each ends, in order", async () => {
    const all = ["a", "b", "c", "d", "e"].map(declared);
    const window = registrationWindow(2, (r) => (r as unknown as ReturnType<typeof declared>).settled);
    let ended = 0;
    window.onSettled(() => ended++);
    const order: string[] = [];
    const admitted = all.map((d) => window.admit(() => (order.push(d.name), d as unknown as pulumi.Resource)));
    assert.deepEqual(order, ["a", "b"], "two at once");
    assert.ok(!(admitted[0] instanceof Promise) && admitted[2] instanceof Promise);
    all[1]!.end();
    await flush();
    assert.deepEqual(order, ["a", "b", "c"], "one more as one ends");
    all[0]!.end();
    all[2]!.end();
    await flush();
    assert.deepEqual(order, ["a", "b", "c", "d", "e"]);
    assert.equal(ended, 3);
    assert.equal(((await admitted[4]) as unknown as Declared).name, "e");
  });

  it("declares everything at once without a size", () => {
    const window = registrationWindow(undefined, () => new Promise(() => undefined));
    const names = ["a", "b", "c"].map((n) => window.admit(() => ({ n }) as unknown as pulumi.Resource));
    assert.ok(names.every((r) => !(r instanceof Promise)));
  });

  it("passes a declaration's error on and frees its slot for the next", async () => {
    const first = declared("a");
    const window = registrationWindow(1, (r) => (r as unknown as { settled?: Promise<void> }).settled ?? new Promise(() => undefined));
    window.admit(() => first as unknown as pulumi.Resource);
    const failing = window.admit(() => {
      throw new Error("refused");
    });
    const next = window.admit(() => ({ name: "c" }) as unknown as pulumi.Resource);
    first.end();
    await assert.rejects(Promise.resolve(failing), /refused/);
    assert.equal(((await next) as unknown as Declared).name, "c");
  });
});
