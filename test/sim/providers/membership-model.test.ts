/**
 * Model-based test of the membership provider against the in-process simulator: random
 * sequences of spec changes, ups, ups under applied-then-failed / failed / dropped patches, ups
 * killed between send and record (or before the state is written), and destroys. After every
 * up that succeeds the simulator must hold exactly the spec, whatever happened before, and the
 * plan's counts must be what the up then sends.
 */
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import type { FaultOptions } from "../../../simulator";
import { MembershipHarness, type CrashPoint, type UpResult } from "../../support/membership-harness";

const UNIVERSE = Array.from({ length: 24 }, (_, i) => `id${String(i).padStart(2, "0")}`);
const PATCH = ["PATCH /v2/dp/audience"];

interface Model {
  spec: string[];
  /** Whether a membership is in state. */
  exists: boolean;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** "+N −M IDs (K unchanged[; D in doubt …])" → N + M + D. */
function plannedOps(line: string): number | undefined {
  const m = /: \+([\d,]+) −([\d,]+) IDs \([\d,]+ unchanged(?:; ([\d,]+) in doubt after an interrupted up, re-sent)?\)/.exec(line);
  if (!m) return undefined;
  const n = (s: string | undefined): number => Number((s ?? "0").replace(/,/g, ""));
  return n(m[1]) + n(m[2]) + n(m[3]);
}

/** "sent +X −Y in R requests" → X + Y. */
function sentOps(line: string): number | undefined {
  const m = /: sent \+([\d,]+) −([\d,]+) in \d+ requests$/.exec(line);
  return m ? Number(m[1]!.replace(/,/g, "")) + Number(m[2]!.replace(/,/g, "")) : undefined;
}

function checkConverged(h: MembershipHarness, model: Model, result: UpResult, what: string): void {
  if (result.kind === "ok") model.exists = true;
  if (result.kind !== "ok") return;
  assert.deepEqual(h.members(), sorted(model.spec), `${what}: the simulator holds exactly the spec`);
  const planned = result.lines.map(plannedOps).find((x) => x !== undefined);
  const sent = result.lines.map(sentOps).find((x) => x !== undefined);
  if (planned !== undefined && sent !== undefined) assert.equal(sent, planned, `${what}: the plan's counts are what the up sent (${result.lines.join(" | ")})`);
}

class SetSpec implements fc.AsyncCommand<Model, MembershipHarness> {
  constructor(readonly ids: string[]) {}
  check = (): boolean => true;
  async run(model: Model): Promise<void> {
    model.spec = this.ids;
  }
  toString = (): string => `spec(${this.ids.length})`;
}

class Up implements fc.AsyncCommand<Model, MembershipHarness> {
  check = (): boolean => true;
  async run(model: Model, h: MembershipHarness): Promise<void> {
    const result = await h.up("m", model.spec);
    assert.equal(result.kind, "ok", `a clean up succeeds: ${String(result.error)}`);
    checkConverged(h, model, result, "up");
    const again = await h.up("m", model.spec);
    assert.equal(again.changes, false, "a second up changes nothing");
  }
  toString = (): string => "up";
}

class FaultyUp implements fc.AsyncCommand<Model, MembershipHarness> {
  constructor(
    readonly fault: "applyThenFail" | "5xx" | "drop" | "429",
    readonly count: number,
  ) {}
  check = (): boolean => true;
  async run(model: Model, h: MembershipHarness): Promise<void> {
    const rule: FaultOptions =
      this.fault === "drop"
        ? { dropRate: 1 }
        : this.fault === "429"
          ? { rate429: 1 }
          : { rate5xx: 1, ...(this.fault === "applyThenFail" ? { applyThenFail: true } : {}) };
    h.sim.setFaults({ ...rule, routes: PATCH, count: this.count, seed: this.count });
    try {
      const result = await h.up("m", model.spec);
      assert.ok(result.kind === "ok" || result.kind === "partial", `${this.fault}: ${result.kind} ${String(result.error)}`);
      checkConverged(h, model, result, this.fault);
      if (result.kind === "partial") model.exists = true;
    } finally {
      h.sim.setFaults({});
    }
  }
  toString = (): string => `up under ${this.count}×${this.fault}`;
}

class KilledUp implements fc.AsyncCommand<Model, MembershipHarness> {
  constructor(readonly crash: CrashPoint) {}
  check = (): boolean => true;
  async run(model: Model, h: MembershipHarness): Promise<void> {
    const result = await h.up("m", model.spec, this.crash);
    // Killed, or done before the crash point was reached (then it is an ordinary up).
    assert.ok(result.kind === "killed" || result.kind === "ok", `${result.kind} ${String(result.error)}`);
    checkConverged(h, model, result, "up that outran the kill");
  }
  toString = (): string => `up killed ${this.crash.kind === "after-requests" ? `after ${this.crash.n} requests` : "before the state was written"}`;
}

class Destroy implements fc.AsyncCommand<Model, MembershipHarness> {
  constructor(readonly killedAfter: number | undefined) {}
  check = (m: Readonly<Model>): boolean => m.exists;
  async run(model: Model, h: MembershipHarness): Promise<void> {
    const result = await h.destroy("m", this.killedAfter === undefined ? { kind: "none" } : { kind: "after-requests", n: this.killedAfter });
    if (result.kind === "ok") {
      model.exists = false;
      assert.deepEqual(h.members(), [], "destroy removes every member");
    } else {
      assert.equal(result.kind, "killed", String(result.error));
    }
  }
  toString = (): string => (this.killedAfter === undefined ? "destroy" : `destroy killed after ${this.killedAfter} requests`);
}

/** The default budget plans these sets whole; 600 bytes makes the provider plan and send them in up to 16 windows. */
for (const [budget, planMemoryBytes] of [["in memory", undefined], ["in windows (sets larger than the memory budget)", 600]] as const) describe(`membership provider: model-based interruptions against the simulator, planned ${budget}`, function () {
  this.timeout(180_000);
  const h = new MembershipHarness(planMemoryBytes);
  before(() => h.start());
  after(() => h.stop());

  it("after any interleaving of spec changes, faults and kills, a successful up leaves exactly the spec", async () => {
    const commands = [
      fc.subarray(UNIVERSE).map((ids) => new SetSpec(ids)),
      fc.constant(new Up()),
      fc.tuple(fc.constantFrom("applyThenFail" as const, "5xx" as const, "drop" as const, "429" as const), fc.integer({ min: 1, max: 6 })).map(([f, n]) => new FaultyUp(f, n)),
      fc.oneof(
        fc.integer({ min: 0, max: 5 }).map((n) => new KilledUp({ kind: "after-requests", n })),
        fc.constant(new KilledUp({ kind: "before-state" })),
      ),
      fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }).map((n) => new Destroy(n)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 14 }), async (cmds) => {
        h.sim.setFaults({});
        await h.newAudience();
        // Every run ends with a clean up, so each history is checked at least once.
        await fc.asyncModelRun(() => ({ model: { spec: [], exists: false }, real: h }), [...cmds, new Up()]);
      }),
      { numRuns: 40 },
    );
    if (planMemoryBytes !== undefined) assert.ok(h.spilledReads.length > 0, "the sets were planned from copies on disk");
    else assert.equal(h.spilledReads.length, 0, "the sets were planned in memory");
  });
});
