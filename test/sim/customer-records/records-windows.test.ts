/**
 * HashedRecordUpload planned in windows (issue 25): one history of uploads (new, changed and gone
 * records, a lost answer, a reverted CSV, a CSV changed between plan and upload) played in memory
 * and again with a budget so small that every plan is made in windows of externalIds from copies
 * on disk. Plan lines, errors, states and what Amazon ends up holding are the same; the copies
 * are gone after each operation.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { startSimulator } from "../../../simulator";
import { makeHashedRecordsProvider, type RecordsUploadInputs, type RecordsUploadOutputs } from "../../../provider/customer-records/hashed-records-provider";
import { PartialStateError } from "../../../provider/provider-process/partial-state-error";
import { planFolders, windowedContext } from "../../support/windowed-provider";
import { makeTempDir, TEST_KEY } from "../../support/csv-helpers";
import { syntheticPeople, type SyntheticPerson } from "../../support/synthetic-people";
import { RECORDS_KEY_CONFIG, RecordsCsvFixture } from "../../support/records-fixture";

/** What one step of the history shows: its plan lines, its error, the state, and Amazon's records. */
interface Step {
  lines: string[];
  error?: string;
  state: Pick<RecordsUploadOutputs, "appliedDigest" | "appliedCount" | "inDoubtCount" | "inDoubtDigest"> & { uploaded: number };
  amazon?: string[];
}

/** The requests differ (one body or more per window, each with its own requestId); everything else is the same. */
const sameRequests = (text: string): string => text.replace(/ in \d+ requests?/g, " in N requests").replace(/requestId [0-9a-f-]+/g, "requestId …");


describe("records provider planned in windows of externalIds", function () {
  this.timeout(60_000);

  /** Plays the history against a fresh simulator and store; `planMemoryBytes` small enough makes every plan windowed. */
  async function play(planMemoryBytes: number | undefined): Promise<{ steps: Step[]; spilledReads: number }> {
    const tmp = makeTempDir();
    const sim = await startSimulator({ port: 0, limits: { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 } });
    const { context, lines, spilledReads } = windowedContext(sim, path.join(tmp.dir, "snapshots"), {
      planMemoryBytes,
      clientOptions: { retry: { maxAttempts: 1 }, throttle: { hashedRecords: { ratePerSecond: 1000, burst: 100, spacingMarginMs: 0 } } },
      config: { [RECORDS_KEY_CONFIG]: TEST_KEY },
      normalise: sameRequests,
    });
    const hashedRecordsProvider = makeHashedRecordsProvider(context);
    const records = new RecordsCsvFixture(tmp.dir, () => context.store());
    const steps: Step[] = [];
    let state: RecordsUploadOutputs | undefined;
    const inputsFor = async (people: SyntheticPerson[]): Promise<RecordsUploadInputs> => (await records.inputsFor(people)).inputs;
    const amazon = (): string[] => [...sim.store.records()].map(([id, r]) => `${id}=${r.digests.join(",")}`).sort();
    /** One operation; `compareAmazon` false where the windows' requests carry other records than one upload's. */
    const step = async (run: () => Promise<unknown>, compareAmazon = true): Promise<void> => {
      lines.length = 0;
      let error: string | undefined;
      try {
        const outs = await run();
        if (outs !== undefined) state = outs as RecordsUploadOutputs;
      } catch (e) {
        assert.ok(e instanceof PartialStateError, String(e));
        state = e.properties as RecordsUploadOutputs;
        error = sameRequests(e.message);
      }
      const s = state as RecordsUploadOutputs;
      steps.push({
        lines: [...lines],
        ...(error === undefined ? {} : { error }),
        state: { appliedDigest: s.appliedDigest, appliedCount: s.appliedCount, inDoubtCount: s.inDoubtCount ?? 0, ...(s.inDoubtDigest === undefined ? {} : { inDoubtDigest: s.inDoubtDigest }), uploaded: s.lastUpload.records },
        ...(compareAmazon ? { amazon: amazon() } : {}),
      });
      assert.deepEqual(planFolders().filter((name) => !foldersBefore.includes(name)), [], "no copies outlive their operation");
    };
    const foldersBefore = planFolders();
    try {
      const v1 = syntheticPeople(40, 251);
      // Changed (new city), gone (dropped) and new people.
      const v2 = [...v1.slice(0, 34).map((p, i) => (i < 5 ? { ...p, city: `Springfield ${i}` } : p)), ...syntheticPeople(4, 252)];
      const v3 = v2.map((p, i) => (i === 7 ? { ...p, city: "Ogdenville" } : i === 8 ? { ...p, city: "North Haverbrook" } : p));
      const v4 = v3.map((p, i) => (i === 7 ? { ...p, city: "Capital City" } : p));
      const check = async (news: RecordsUploadInputs): Promise<void> => void (await hashedRecordsProvider.check!({} as RecordsUploadInputs, news));
      const news1 = await inputsFor(v1);
      await step(async () => (await check(news1), (await hashedRecordsProvider.create(news1)).outs));
      const news2 = await inputsFor(v2);
      await step(async () => void (await hashedRecordsProvider.diff!("records/people", state as RecordsUploadOutputs, news2)));
      await step(async () => (await hashedRecordsProvider.update!("records/people", state as RecordsUploadOutputs, news2)).outs);
      // A lost answer: the first request is stored but its answer says nothing (the first request of
      // one window carries fewer records than the first of one upload, so Amazon differs until the
      // next upload); then the CSV goes back to v2.
      sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["POST /dp/records/hashed"], count: 1 });
      await step(async () => (await hashedRecordsProvider.update!("records/people", state as RecordsUploadOutputs, await inputsFor(v1))).outs, false);
      sim.setFaults({});
      const back = await inputsFor(v2);
      await step(async () => void (await hashedRecordsProvider.diff!("records/people", state as RecordsUploadOutputs, back)), false);
      await step(async () => (await hashedRecordsProvider.update!("records/people", state as RecordsUploadOutputs, back)).outs);
      // The CSV changes again between the plan and the upload.
      const news3 = await inputsFor(v3);
      await step(async () => void (await hashedRecordsProvider.diff!("records/people", state as RecordsUploadOutputs, news3)));
      records.write(v4);
      await step(async () => (await hashedRecordsProvider.update!("records/people", state as RecordsUploadOutputs, news3)).outs);
      const news4 = await inputsFor(v4);
      await step(async () => (await hashedRecordsProvider.update!("records/people", state as RecordsUploadOutputs, news4)).outs);
      await step(async () => ({ ...(state as RecordsUploadOutputs), changed: (await hashedRecordsProvider.diff!("records/people", state as RecordsUploadOutputs, news4)).changes }));
      return { steps, spilledReads: spilledReads() };
    } finally {
      context.close();
      await sim.stop();
      tmp.cleanup();
    }
  }

  it("plans, uploads, fails part-way and recovers exactly as in memory", async () => {
    const inMemory = await play(undefined);
    const windowed = await play(2_000);
    assert.equal(inMemory.spilledReads, 0, "the default budget plans in memory");
    assert.ok(windowed.spilledReads > 0, "a 2,000-byte budget plans from copies on disk");
    assert.deepEqual(windowed.steps, inMemory.steps);
    // The history does what it says, so that the comparison is not of two empty runs.
    const [, diff2, , lost, , , , changedCsv] = inMemory.steps as Step[];
    assert.match(diff2?.lines[0] ?? "", /^info: records people: 9 new or changed, 6 gone \(29 unchanged\)$/);
    assert.match(lost?.error ?? "", /records are in doubt/);
    assert.match(changedCsv?.error ?? "", /the CSV or its externalId key changed since the plan was made \(1 of the 2 planned records were found\)/);
    assert.equal(inMemory.steps.at(-1)?.state.inDoubtCount, 0);
  });
});
