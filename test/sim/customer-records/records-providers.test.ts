/**
 * The HashedRecordUpload and UserDeletions providers called directly (as the engine would),
 * against the in-process simulator: lifecycle, partial progress, idempotence.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { startSimulator, type RunningSimulator } from "../../../simulator";
import type * as pulumi from "@pulumi/pulumi";
import { makeHashedRecordsProvider, type RecordsUploadInputs, type RecordsUploadOutputs } from "../../../provider/customer-records/hashed-records-provider";
import { PartialStateError } from "../../../provider/provider-process/partial-state-error";
import type { ProviderContext } from "../../../provider/provider-process/provider-context";
import { providerContext, simulatorConfig } from "../../support/provider-context";
import { makeUserDeletionsProvider } from "../../../provider/user-deletions/user-deletions-provider";
import { encodeDeletion, type DeletionEntry, type DeletionsInputs, type DeletionsOutputs } from "../../../provider/user-deletions/deletions";
import { idSetFrom } from "../../../provider/plan";
import { makeTempDir, TEST_KEY } from "../../support/csv-helpers";
import { syntheticPeople, type SyntheticPerson } from "../../support/synthetic-people";
import { RECORDS_KEY_CONFIG, RecordsCsvFixture } from "../../support/records-fixture";

describe("records providers against the simulator", function () {
  this.timeout(30_000);
  const tmp = makeTempDir();
  let sim: RunningSimulator;
  let context: ProviderContext;
  let hashedRecordsProvider: pulumi.dynamic.ResourceProvider<RecordsUploadInputs, RecordsUploadOutputs>;
  let userDeletionsProvider: pulumi.dynamic.ResourceProvider<DeletionsInputs, DeletionsOutputs>;
  const records = new RecordsCsvFixture(tmp.dir, () => context.store());
  /** What the program would do: read the CSV, store the desired set, build the inputs. */
  const inputsFor = (people: SyntheticPerson[]): Promise<{ inputs: RecordsUploadInputs; externalIds: string[] }> => records.inputsFor(people);

  async function simJson<T>(p: string): Promise<T> {
    return (await (await fetch(`${sim.url}${p}`)).json()) as T;
  }
  const hashedRequests = async (): Promise<number[]> =>
    (await simJson<{ requests: Array<{ path: string; status: number; records?: number }> }>("/__sim/requests?since=0")).requests
      .filter((r) => r.path === "/dp/records/hashed" && r.status === 200)
      .map((r) => r.records ?? 0);

  before(async () => {
    sim = await startSimulator({ port: 0 });
    context = providerContext({ config: simulatorConfig(sim, path.join(tmp.dir, "snapshots"), { [RECORDS_KEY_CONFIG]: TEST_KEY }) });
    hashedRecordsProvider = makeHashedRecordsProvider(context);
    userDeletionsProvider = makeUserDeletionsProvider(context);
  });

  after(async () => {
    context.close();
    await sim.stop();
    tmp.cleanup();
  });

  const v1 = syntheticPeople(30, 91);
  const v2 = v1.map((p, i) => (i === 3 ? { ...p, email: "Second.Version@example.org" } : i === 4 ? { ...p, phone: "(212) 555-0143" } : p));
  const v3 = v2.map((p, i) => (i === 3 ? { ...p, email: "Third.Version@example.org" } : p));
  let held: RecordsUploadOutputs;

  it("create uploads every record and records the set and the first-upload time", async () => {
    const { inputs: news, externalIds } = await inputsFor(v1);
    const created = await hashedRecordsProvider.create(news);
    held = created.outs as RecordsUploadOutputs;
    assert.equal(held.appliedDigest, news.desiredDigest);
    assert.equal(held.appliedCount, 30);
    assert.ok(Date.now() - Date.parse(held.firstUploadedAt ?? "") < 60_000);
    assert.deepEqual(Object.keys(await simJson<Record<string, unknown>>("/__sim/records")).sort(), externalIds);
    assert.deepEqual(await hashedRequests(), [30]);
  });

  it("when the CSV changes again between plan and upload, records exactly what was accepted", async () => {
    const { inputs: news } = await inputsFor(v2);
    assert.equal((await hashedRecordsProvider.diff!("records/people", held, news)).changes, true);
    records.write(v3); // person 3 changed again: the planned version of that record is gone
    await assert.rejects(hashedRecordsProvider.update!("records/people", held, news), (e: unknown) => {
      assert.ok(e instanceof PartialStateError);
      assert.match(e.message, /the CSV or its externalId key changed since the plan was made \(1 of the 2 planned records were found\)/);
      const partial = e.properties as RecordsUploadOutputs;
      assert.equal(partial.appliedCount, 29, "30 − 2 replaced + 1 accepted");
      assert.equal(partial.firstUploadedAt, held.firstUploadedAt, "the first upload keeps its time");
      held = partial;
      return true;
    });
    assert.deepEqual(await hashedRequests(), [30, 1], "person 4's new phone was uploaded");
  });

  it("the next update uploads only the rest, and a repeat is a no-op", async () => {
    const { inputs: news } = await inputsFor(v3);
    const { outs } = await hashedRecordsProvider.update!("records/people", held, news);
    held = outs as RecordsUploadOutputs;
    assert.equal(held.appliedDigest, news.desiredDigest);
    assert.deepEqual(await hashedRequests(), [30, 1, 1]);
    assert.equal((await hashedRecordsProvider.diff!("records/people", held, news)).changes, false);
  });

  it("delete calls nothing (the API has no delete)", async () => {
    const before = (await hashedRequests()).length;
    await hashedRecordsProvider.delete!("records/people", held);
    assert.equal((await hashedRequests()).length, before);
  });

  describe("UserDeletions", () => {
    const ext = (value: string, consentTime?: string): DeletionEntry => ({ type: "EXTERNAL_USER_ID", value, ...(consentTime ? { consentTime } : {}) });
    async function inputs(entries: DeletionEntry[]): Promise<DeletionsInputs> {
      const set = idSetFrom(entries.map(encodeDeletion));
      return { label: "deletions", desiredDigest: await context.store().put(set), desiredCount: set.size };
    }
    const deletions = async (): Promise<Array<{ requestId: string; users: Array<{ value: string }> }>> =>
      (await simJson<{ deletions: Array<{ requestId: string; users: Array<{ value: string }> }> }>("/__sim/deletions")).deletions;
    let state: DeletionsOutputs;

    it("sends each deletion once and records its requestId", async () => {
      const created = await userDeletionsProvider.create(await inputs([ext("a-1", "1767225600000"), ext("b-2")]));
      state = created.outs as DeletionsOutputs;
      const sent = await deletions();
      assert.deepEqual(sent.map((d) => d.users.map((u) => u.value).sort()), [["a-1", "b-2"]]);
      assert.deepEqual(state.requests.map((r) => [r.requestId, r.users]), [[sent[0]!.requestId, 2]]);
      assert.equal(state.sentCount, 2);
    });

    it("a new entry is sent alone; a changed consent time or a dropped entry sends nothing", async () => {
      const more = await inputs([ext("a-1", "1767225600000"), ext("b-2"), ext("c-3")]);
      assert.equal((await userDeletionsProvider.diff!("deletions", state, more)).changes, true);
      state = (await userDeletionsProvider.update!("deletions", state, more)).outs as DeletionsOutputs;
      assert.deepEqual((await deletions()).map((d) => d.users.length), [2, 1]);
      assert.equal(state.requests.length, 2);
      const fewer = await inputs([ext("a-1", "1767225600001")]);
      assert.equal((await userDeletionsProvider.diff!("deletions", state, fewer)).changes, false);
      await userDeletionsProvider.delete!("deletions", state);
      assert.equal((await deletions()).length, 2);
    });
  });
});
