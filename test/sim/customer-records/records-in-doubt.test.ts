/**
 * In-doubt tracking of HashedRecordUpload: an upload Amazon stored but whose answer was lost is
 * uploaded again when the CSV is reverted, so Amazon ends with the CSV's version of each record.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { startSimulator, type RunningSimulator } from "../../../simulator";
import type * as pulumi from "@pulumi/pulumi";
import { makeHashedRecordsProvider, type RecordsUploadInputs, type RecordsUploadOutputs } from "../../../provider/customer-records/hashed-records-provider";
import { PartialStateError } from "../../../provider/provider-process/partial-state-error";
import type { ProviderContext } from "../../../provider/provider-process/provider-context";
import { providerContext, simulatorConfig } from "../../support/provider-context";
import { makeTempDir, TEST_KEY } from "../../support/csv-helpers";
import { syntheticPeople, type SyntheticPerson } from "../../support/synthetic-people";
import { RECORDS_KEY_CONFIG, RecordsCsvFixture } from "../../support/records-fixture";

describe("records provider: in-doubt uploads against the simulator", function () {
  this.timeout(30_000);
  const tmp = makeTempDir();
  let sim: RunningSimulator;
  let context: ProviderContext;
  let hashedRecordsProvider: pulumi.dynamic.ResourceProvider<RecordsUploadInputs, RecordsUploadOutputs>;
  const records = new RecordsCsvFixture(tmp.dir, () => context.store());
  const inputsFor = async (people: SyntheticPerson[]): Promise<RecordsUploadInputs> => (await records.inputsFor(people)).inputs;
  /** The digests Amazon holds per externalId. */
  const held = (): Map<string, string> => new Map([...sim.store.records()].map(([id, r]) => [id, r.digests.join(",")]));

  before(async () => {
    sim = await startSimulator({ port: 0, limits: { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 } });
    context = providerContext({
      config: simulatorConfig(sim, path.join(tmp.dir, "snapshots"), { [RECORDS_KEY_CONFIG]: TEST_KEY }),
      clientOptions: { retry: { maxAttempts: 1 }, throttle: { hashedRecords: { ratePerSecond: 1000, burst: 100, spacingMarginMs: 0 } } },
    });
    hashedRecordsProvider = makeHashedRecordsProvider(context);
  });

  after(async () => {
    context.close();
    await sim.stop();
    tmp.cleanup();
  });

  it("stored-then-500, CSV reverted: the next up uploads the reverted records again", async () => {
    const v1 = syntheticPeople(12, 7);
    // Same people (same email, so the same externalIds), moved to another city: new record versions.
    const v2 = v1.map((p, i) => (i < 3 ? { ...p, city: `Springfield ${i}` } : p));
    let state = (await hashedRecordsProvider.create(await inputsFor(v1))).outs as RecordsUploadOutputs;
    const atV1 = held();
    sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["POST /dp/records/hashed"], count: 1 });
    const news2 = await inputsFor(v2);
    await assert.rejects(hashedRecordsProvider.update!("records/people", state, news2), (e: unknown) => {
      assert.ok(e instanceof PartialStateError);
      assert.match(e.message, /3 records are in doubt \(sent, but the answer did not say whether Amazon stored them\)/);
      state = e.properties as RecordsUploadOutputs;
      return true;
    });
    sim.setFaults({});
    assert.notDeepEqual(held(), atV1, "Amazon stored v2's three records");
    // Reverted: the state's applied set is v1 for those externalIds, but Amazon's is unknown.
    const news1 = await inputsFor(v1);
    const diff = await hashedRecordsProvider.diff!("records/people", state, news1);
    assert.equal(diff.changes, true);
    state = (await hashedRecordsProvider.update!("records/people", state, news1)).outs as RecordsUploadOutputs;
    assert.deepEqual(held(), atV1, "Amazon holds v1 again");
    assert.equal(state.inDoubtCount, 0);
    assert.equal((await hashedRecordsProvider.diff!("records/people", state, news1)).changes, false);
  });

  it("an upload whose state was never written (kill -9 after the answers), CSV reverted: uploaded again", async () => {
    const v1 = syntheticPeople(10, 8);
    const v2 = v1.map((p, i) => (i < 2 ? { ...p, city: `Shelbyville ${i}` } : p));
    let state = (await hashedRecordsProvider.create(await inputsFor(v1))).outs as RecordsUploadOutputs;
    const atV1 = held();
    await hashedRecordsProvider.update!("records/people", state, await inputsFor(v2)); // then killed: the state stays at v1
    assert.notDeepEqual(held(), atV1);
    const news1 = await inputsFor(v1);
    assert.equal(news1.desiredDigest, state.appliedDigest, "the state already says v1");
    assert.equal((await hashedRecordsProvider.diff!("records/people", state, news1)).changes, true, "the sync record says otherwise");
    state = (await hashedRecordsProvider.update!("records/people", state, news1)).outs as RecordsUploadOutputs;
    assert.deepEqual(held(), atV1);
  });
});
