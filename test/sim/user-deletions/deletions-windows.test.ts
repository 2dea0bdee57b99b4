/**
 * UserDeletions planned in windows (issue 25): one history (repeats under other consent times, new
 * and dropped entries, a failed request, the retry) played in memory and again with a budget so
 * small that every plan is made in windows of deletion keys from copies on disk. Plan lines,
 * errors, states and the users Amazon was asked to delete are the same; the copies are gone
 * after each operation.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { startSimulator } from "../../../simulator";
import { PartialStateError } from "../../../provider/provider-process/partial-state-error";
import { makeUserDeletionsProvider } from "../../../provider/user-deletions/user-deletions-provider";
import { encodeDeletion, sentKeyOf, type DeletionEntry, type DeletionsInputs, type DeletionsOutputs } from "../../../provider/user-deletions/deletions";
import { idSetFrom } from "../../../provider/plan";
import { planFolders, windowedContext } from "../../support/windowed-provider";
import { makeTempDir } from "../../support/csv-helpers";

/** What one step shows: its lines, its error, the state (request ids aside), and every user Amazon was asked to delete. */
interface Step {
  lines: string[];
  error?: string;
  state?: { sent: string[]; sentCount: number; users: number };
  deleted: string[];
  changes?: boolean;
}

/** Request ids differ from run to run (and the requests from one window to the next); everything else is the same. */
const withoutRequests = (text: string): string =>
  text
    .replace(/ \(requestIds? [^)]*\)/g, "")
    .replace(/requestId [0-9a-f-]+/g, "requestId …")
    .replace(/ in \d+ requests?/g, " in N requests");


describe("UserDeletions planned in windows of deletion keys", function () {
  this.timeout(60_000);

  async function play(planMemoryBytes: number | undefined): Promise<{ steps: Step[]; spilledReads: number }> {
    const tmp = makeTempDir();
    const sim = await startSimulator({ port: 0, limits: { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 } });
    const { context, lines, spilledReads } = windowedContext(sim, path.join(tmp.dir, "snapshots"), {
      planMemoryBytes,
      clientOptions: { retry: { maxAttempts: 1 }, throttle: { users: { ratePerSecond: 1000, burst: 100, spacingMarginMs: 0 } } },
      normalise: withoutRequests,
    });
    const userDeletionsProvider = makeUserDeletionsProvider(context);
    const foldersBefore = planFolders();
    const deleted = async (): Promise<string[]> =>
      ((await (await fetch(`${sim.url}/__sim/deletions`)).json()) as { deletions: Array<{ users: Array<{ value: string; advertiserId?: string }> }> }).deletions
        .flatMap((d) => d.users.map((u) => `${u.value}@${u.advertiserId ?? "*"}`))
        .sort();
    const inputs = async (entries: DeletionEntry[]): Promise<DeletionsInputs> => {
      const set = idSetFrom(entries.map(encodeDeletion));
      return { label: "deletions", desiredDigest: await context.store().put(set), desiredCount: set.size };
    };
    let state: DeletionsOutputs | undefined;
    const steps: Step[] = [];
    const step = async (run: () => Promise<{ outs?: unknown; changes?: boolean }>): Promise<void> => {
      lines.length = 0;
      let error: string | undefined;
      let changes: boolean | undefined;
      try {
        const done = await run();
        if (done.outs !== undefined) state = done.outs as DeletionsOutputs;
        changes = done.changes;
      } catch (e) {
        assert.ok(e instanceof PartialStateError, String(e));
        state = e.properties as DeletionsOutputs;
        error = withoutRequests(e.message);
      }
      steps.push({
        lines: [...lines],
        ...(error === undefined ? {} : { error }),
        ...(changes === undefined ? {} : { changes }),
        // The sent set names each deletion's request, and the requests differ: its keys are compared.
        ...(state === undefined ? {} : { state: { sent: (await context.store().get(state.sentDigest)).toArray().map(sentKeyOf).sort(), sentCount: state.sentCount, users: state.requests.reduce((n, r) => n + r.users, 0) } }),
        deleted: await deleted(),
      });
      assert.deepEqual(planFolders().filter((name) => !foldersBefore.includes(name)), [], "no copies outlive their operation");
    };
    try {
      const ext = (i: number, consentTime?: string, advertiserId?: string): DeletionEntry => ({ type: "EXTERNAL_USER_ID", value: `customer-${i}`, ...(consentTime ? { consentTime } : {}), ...(advertiserId ? { advertiserId } : {}) });
      const first = [...Array.from({ length: 30 }, (_, i) => ext(i)), ext(3, "1767225600000"), ext(4, undefined, "42")];
      const second = [...first.slice(5), ext(7, "1767225600001"), ...Array.from({ length: 10 }, (_, i) => ext(100 + i))];
      const third = [...second, ...Array.from({ length: 6 }, (_, i) => ext(200 + i, undefined, "7"))];
      await step(async () => userDeletionsProvider.create(await inputs(first)));
      const news2 = await inputs(second);
      await step(async () => userDeletionsProvider.diff!("deletions", state as DeletionsOutputs, news2));
      await step(async () => userDeletionsProvider.update!("deletions", state as DeletionsOutputs, news2));
      const news3 = await inputs(third);
      sim.setFaults({ rate5xx: 1, routes: ["PATCH /v2/dp/users"], count: 1 });
      await step(async () => userDeletionsProvider.update!("deletions", state as DeletionsOutputs, news3));
      sim.setFaults({});
      await step(async () => userDeletionsProvider.diff!("deletions", state as DeletionsOutputs, news3));
      await step(async () => userDeletionsProvider.update!("deletions", state as DeletionsOutputs, news3));
      await step(async () => userDeletionsProvider.diff!("deletions", state as DeletionsOutputs, news3));
      return { steps, spilledReads: spilledReads() };
    } finally {
      context.close();
      await sim.stop();
      tmp.cleanup();
    }
  }

  it("plans, sends, fails part-way and sends the rest exactly as in memory", async () => {
    const inMemory = await play(undefined);
    const windowed = await play(1_000);
    assert.equal(inMemory.spilledReads, 0, "the default budget plans in memory");
    assert.ok(windowed.spilledReads > 0, "a 1,000-byte budget plans from copies on disk");
    assert.deepEqual(windowed.steps, inMemory.steps);
    const [created, diff2, , failed, , , last] = inMemory.steps as Step[];
    assert.equal(created?.state?.sentCount, 31, "30 users and one advertiser's; a repeat under another consent time once");
    assert.deepEqual(diff2?.lines, ["warning: deletions: 4 deletions were sent before and are no longer listed; a deletion cannot be undone (Amazon erases the data within 30 days), so nothing is sent.", "info: deletions: 10 to send (27 already sent)"]);
    assert.match(failed?.error ?? "", /Amazon accepted 0 of 6 deletions; that is recorded/);
    assert.equal(last?.changes, false);
    assert.equal(last?.deleted.length, 47, "each deletion sent once");
  });
});
