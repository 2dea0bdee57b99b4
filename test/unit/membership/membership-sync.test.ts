import { strict as assert } from "assert";
import type { DspClient, PatchBatch, PreparedBody } from "../../../provider/client";
import { IdSet, idSetFrom, planMembership } from "../../../provider/plan";
import { DspHttpError, DspNetworkError } from "../../../provider/client";
import { syncMembership } from "../../../provider/membership/membership-sync";
import { outcomeOfFailure } from "../../../provider/sync/send-outcome";

/** Decodes the `{op, id}` pairs of a PATCH body built by the client's batching. */
function opsOf(batch: PatchBatch): Array<[string, string]> {
  const body = JSON.parse(batch.body.toString("utf8")) as { patches: Array<{ op: string; path: string; value: number[] }> };
  return body.patches.map((p) => [p.op, /^\/COOKIE-(.*)\/audiences$/.exec(p.path)?.[1] ?? "?"]);
}

/** A client whose n-th request (1-based) fails (with `failWith`, default a plain Error); it records what it accepted. */
function fakeClient(failOn: Set<number>, failWith: (n: number) => Error = (n) => new Error(`request ${n} failed`)): { client: Pick<DspClient, "sendBody">; accepted: Array<[string, string]>; calls: number } {
  const state = { accepted: [] as Array<[string, string]>, calls: 0 };
  const client: Pick<DspClient, "sendBody"> = {
    async sendBody(prepared: PreparedBody) {
      assert.equal(prepared.kind, "audienceMembership");
      const batch = prepared.batch as PatchBatch;
      state.calls++;
      if (failOn.has(state.calls)) throw failWith(state.calls);
      state.accepted.push(...opsOf(batch));
      return { ops: batch.ops, jobId: `job-${state.calls}`, requestId: `req-${state.calls}` };
    },
  };
  return {
    client,
    get accepted() {
      return state.accepted;
    },
    get calls() {
      return state.calls;
    },
  };
}

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("syncMembership", () => {
  const applied = idSetFrom([...ids("keep", 300), ...ids("old", 250)]);
  const desired = idSetFrom([...ids("keep", 300), ...ids("new", 900)]);
  const plan = planMembership(applied, desired);
  const limits = { maxBodyBytes: 1_000_000, maxPatches: 100 };

  it("sends every remove and add once, removes first, packed up to the patch limit", async () => {
    const fake = fakeClient(new Set());
    const r = await syncMembership(fake.client, plan, { audienceId: "72057594038053891", idType: "COOKIE", limits, concurrency: 1 });
    assert.equal(r.error, undefined);
    assert.equal(r.requests, Math.ceil((250 + 900) / 100));
    assert.equal(fake.accepted.length, 1150);
    assert.deepEqual(new Set(fake.accepted.map(([, id]) => id)).size, 1150);
    const firstAdd = fake.accepted.findIndex(([op]) => op === "add");
    assert.ok(fake.accepted.slice(0, firstAdd).every(([op]) => op === "remove") && firstAdd === 250);
    assert.deepEqual(r.accepted.adds.toArray().sort(), ids("new", 900).sort());
    assert.deepEqual(r.accepted.removes.toArray().sort(), ids("old", 250).sort());
  });

  it("after a failure reports exactly the IDs whose requests were accepted", async () => {
    for (const concurrency of [1, 4]) {
      const fake = fakeClient(new Set([5]));
      const r = await syncMembership(fake.client, plan, { audienceId: "1", idType: "COOKIE", limits, concurrency });
      assert.match(r.error?.message ?? "", /request 5 failed/);
      const acceptedIds = new Set(fake.accepted.map(([, id]) => id));
      const reported = [...r.accepted.removes, ...r.accepted.adds];
      assert.equal(reported.length, acceptedIds.size, `concurrency ${concurrency}`);
      assert.ok(reported.every((id) => acceptedIds.has(id)));
      assert.ok(r.accepted.removes.toArray().every((id) => id.startsWith("old")));
      assert.ok(r.accepted.adds.toArray().every((id) => id.startsWith("new")));
      assert.ok(fake.calls < 12, "stopped sending new requests after the failure");
    }
  });

  it("splits failed requests into unknown outcome (5xx, network) and rejected (4xx); unsent ones are neither", async () => {
    const op = { operation: "PATCH /v2/dp/audience" };
    const cases: Array<{ error: Error; unknown: boolean }> = [
      { error: new DspHttpError({ ...op, status: 500 }), unknown: true },
      { error: new DspNetworkError({ ...op, cause: new Error("socket hang up"), requestMayHaveBeenSent: true }), unknown: true },
      { error: new DspNetworkError({ ...op, code: "ECONNREFUSED", requestMayHaveBeenSent: false }), unknown: false },
      { error: new Error("anything unexpected"), unknown: true },
      { error: new DspHttpError({ ...op, status: 400 }), unknown: false },
    ];
    for (const { error, unknown } of cases) {
      assert.equal(outcomeOfFailure(error), unknown ? "unknown" : "rejected", error.message);
      const fake = fakeClient(new Set([3]), () => error);
      const r = await syncMembership(fake.client, plan, { audienceId: "1", idType: "COOKIE", limits, concurrency: 1 });
      assert.equal(r.accepted.removes.size + r.accepted.adds.size, 200, "requests 1 and 2");
      // Request 3 carries removes 200..249 and adds 0..49 (one body may carry both).
      assert.equal(r.unknown.removes.size + r.unknown.adds.size, unknown ? 100 : 0);
      if (unknown) {
        const sent = new Set([...r.accepted.removes, ...r.accepted.adds]);
        assert.ok([...r.unknown.removes, ...r.unknown.adds].every((id) => !sent.has(id)));
      }
      assert.equal(fake.calls, 3, "nothing sent after the failure");
    }
  });

  it("sends the audience's consent with every patch", async () => {
    const bodies: string[] = [];
    const client: Pick<DspClient, "sendBody"> = {
      async sendBody(prepared: PreparedBody) {
        bodies.push(prepared.batch.body.toString("utf8"));
        return { ops: 0 };
      },
    };
    const consent = { consentType: "Amazon", amazonConsent: { amazonAdStorage: "GRANTED", amazonUserData: "DENIED" } };
    await syncMembership(client, plan, { audienceId: "72057594038053891", idType: "COOKIE", limits, consent });
    const patches = bodies.flatMap((b) => (JSON.parse(b) as { patches: Array<{ consent?: unknown }> }).patches);
    assert.equal(patches.length, 1150);
    assert.ok(patches.every((p) => JSON.stringify(p.consent) === JSON.stringify(consent)));
    assert.ok(bodies.every((b) => b.includes('"value":[72057594038053891],"consent"')), "the id stays a bare int64 number");
  });

  it("sends nothing for an empty plan", async () => {
    const fake = fakeClient(new Set());
    const r = await syncMembership(fake.client, planMembership(desired, desired), { audienceId: "1", idType: "COOKIE" });
    assert.equal(fake.calls, 0);
    assert.equal(r.requests, 0);
    assert.equal(planMembership(IdSet.empty(), IdSet.empty()).isNoOp, true);
  });
});
