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
  /** The last up succeeded and nothing ran since: no ID is in doubt. */
  settled: boolean;
  /** The last preview's counts, for the spec it previewed, until the next up. */
  previewed?: { spec: string[]; adds: number; removes: number; line: string } | undefined;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** "+N −M IDs (…)" → N and M: what the up will send. */
function plannedCounts(line: string): { adds: number; removes: number } | undefined {
  const m = /: \+([\d,]+) −([\d,]+) IDs \(/.exec(line);
  if (!m) return undefined;
  const n = (s: string | undefined): number => Number((s ?? "0").replace(/,/g, ""));
  return { adds: n(m[1]), removes: n(m[2]) };
}

/** The plan line of an up (or preview): the first line with `+N −M IDs`. */
function planOf(lines: readonly string[]): { adds: number; removes: number; line: string } | undefined {
  for (const line of lines) {
    const counts = plannedCounts(line);
    if (counts) return { ...counts, line };
  }
  return undefined;
}

function checkConverged(h: MembershipHarness, model: Model, result: UpResult, what: string): void {
  const previewed = model.previewed;
  model.previewed = undefined;
  model.settled = result.kind === "ok";
  if (result.kind === "ok") model.exists = true;
  if (result.kind !== "ok") return;
  assert.deepEqual(h.members(), sorted(model.spec), `${what}: the simulator holds exactly the spec`);
  const planned = planOf(result.lines);
  if (planned !== undefined && result.sent !== undefined) {
    assert.deepEqual(result.sent, { adds: planned.adds, removes: planned.removes }, `${what}: the plan's +N −M is what the up sent (${result.lines.join(" | ")})`);
  }
  if (previewed !== undefined && previewed.spec === model.spec) {
    const sent = result.sent ?? { adds: 0, removes: 0 };
    assert.deepEqual(sent, { adds: previewed.adds, removes: previewed.removes }, `${what}: the preview before it said ${previewed.line}`);
  }
}

/** `pulumi preview`: what it says is checked against what the next successful up of the same spec sends. */
class Preview implements fc.AsyncCommand<Model, MembershipHarness> {
  check = (): boolean => true;
  async run(model: Model, h: MembershipHarness): Promise<void> {
    const preview = await h.preview("m", model.spec);
    const plan = planOf(preview.lines);
    model.previewed = plan === undefined ? (preview.changes ? undefined : { spec: model.spec, adds: 0, removes: 0, line: "no change" }) : { spec: model.spec, ...plan };
    if (model.settled && plan !== undefined) assert.doesNotMatch(plan.line, /re-sent/, "a preview right after a clean run shows no re-send");
  }
  toString = (): string => "preview";
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
    readonly fault: "applyThenFail" | "5xx" | "drop" | "429" | "429-storm",
    readonly count: number,
  ) {}
  check = (): boolean => true;
  async run(model: Model, h: MembershipHarness): Promise<void> {
    const rule: FaultOptions =
      this.fault === "drop"
        ? { dropRate: 1 }
        : this.fault === "429" || this.fault === "429-storm"
          ? { rate429: 1 }
          : { rate5xx: 1, ...(this.fault === "applyThenFail" ? { applyThenFail: true } : {}) };
    h.sim.setFaults({ ...rule, routes: PATCH, count: this.fault === "429-storm" ? 1_000 : this.count, seed: this.count });
    const settled = model.settled;
    try {
      const result = await h.up("m", model.spec);
      assert.ok(result.kind === "ok" || result.kind === "partial", `${this.fault}: ${result.kind} ${String(result.error)}`);
      if (this.fault.startsWith("429") && settled) {
        // Every attempt was refused: nothing was applied, so nothing is in doubt.
        assert.equal(h.state.get("m")?.inDoubtCount ?? 0, 0, `${this.fault}: no ID in doubt after nothing but 429s`);
        assert.doesNotMatch(String(result.error ?? ""), /in doubt/);
      }
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
    model.previewed = undefined;
    model.settled = result.kind === "ok";
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
      fc.tuple(fc.constantFrom("applyThenFail" as const, "5xx" as const, "drop" as const, "429" as const, "429-storm" as const), fc.integer({ min: 1, max: 6 })).map(([f, n]) => new FaultyUp(f, n)),
      fc.constant(new Preview()),
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
        await fc.asyncModelRun(() => ({ model: { spec: [], exists: false, settled: true }, real: h }), [...cmds, new Up()]);
      }),
      { numRuns: 40 },
    );
    if (planMemoryBytes !== undefined) assert.ok(h.spilledReads.length > 0, "the sets were planned from copies on disk");
    else assert.equal(h.spilledReads.length, 0, "the sets were planned in memory");
  });
});
