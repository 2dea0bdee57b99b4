import { strict as assert } from "node:assert";
import { keysOfTurn, periodsUntilTurn, sliceOfAudience, sliceOfPeriod } from "../../../provider/audience/refresh-slice";
import { announcement } from "../../../provider/audience/refresh-turn";
import { catalogRecordName, readCatalog, urnParts } from "../../../provider/audience/audience-catalog";
import type { SnapshotStore } from "../../../provider/snapshots";

const DAY = 86_400_000;
const daily = (slices: number) => ({ slices, periodMs: DAY, period: "day" as const });
const keys = Array.from({ length: 1000 }, (_, i) => `segment-${i}`);

describe("refresh slices", () => {
  it("reads every audience exactly once in N successive periods, from any start", () => {
    for (const start of [0, 5 * DAY + 17, 20_000 * DAY - 1]) {
      const read = [0, 1, 2, 3, 4, 5, 6].flatMap((d) => keysOfTurn(keys, start + d * DAY, daily(7)));
      assert.deepEqual([...read].sort(), [...keys].sort());
    }
  });

  it("gives each slice about its share, by key alone (other audiences do not move it)", () => {
    const sizes = [0, 1, 2, 3, 4, 5, 6].map((s) => keys.filter((k) => sliceOfAudience(k, 7) === s).length);
    for (const size of sizes) assert.ok(size > 1000 / 7 / 1.3 && size < (1000 / 7) * 1.3, JSON.stringify(sizes));
    assert.equal(sliceOfAudience("segment-3", 7), sliceOfAudience("segment-3", 7));
  });

  it("turns to the next slice with each period, and says when an audience's turn comes", () => {
    assert.equal(sliceOfPeriod(3 * DAY, daily(7)), 3);
    assert.equal(sliceOfPeriod(3 * DAY + DAY - 1, daily(7)), 3);
    assert.equal(sliceOfPeriod(7 * DAY, daily(7)), 0);
    const key = keys.find((k) => sliceOfAudience(k, 7) === 5)!;
    assert.equal(periodsUntilTurn(key, 3 * DAY, daily(7)), 2);
    assert.equal(periodsUntilTurn(key, 5 * DAY, daily(7)), 0);
    assert.equal(periodsUntilTurn(key, 6 * DAY, daily(7)), 6);
  });

  it("announces what a run reads, naming a slice's audiences", () => {
    const catalog = { v: 1 as const, at: "2026-01-01T00:00:00.000Z", audiences: ["a", "b", "c"] };
    assert.equal(announcement(catalog, catalog.audiences, undefined, 0), "refresh: reads all 3 audiences (one metadata GET each)");
    assert.equal(announcement(catalog, ["b"], daily(3), DAY), "refresh: reads 1 of 3 audiences (slice 2 of 3, this day's; the others keep their state): b");
    assert.equal(announcement(catalog, [], daily(3), 0), "refresh: reads none of the 3 audiences (slice 1 of 3, this day's; the others keep their state)");
    assert.equal(announcement(undefined, undefined, undefined, 0), "refresh: reads every audience (one metadata GET each)");
  });
});

describe("catalog record", () => {
  it("finds the stack, project and name in a URN", () => {
    assert.deepEqual(urnParts("urn:pulumi:prod::dsp-audiences::pulumi-nodejs:dynamic/dsp-audiences:DataProviderAudience::big-spenders"), {
      stack: "prod",
      project: "dsp-audiences",
      name: "big-spenders",
    });
    assert.equal(urnParts("not a urn"), undefined);
    assert.equal(catalogRecordName("dsp-audiences", "prod"), "catalog.dsp-audiences.prod");
  });

  it("reads a record only when it is one", async () => {
    const store = (value: unknown) => ({ readRecord: async () => value }) as unknown as SnapshotStore;
    assert.equal(await readCatalog(store(undefined), "p", "s"), undefined);
    assert.equal(await readCatalog(store({ v: 1, audiences: [1] }), "p", "s"), undefined);
    assert.deepEqual(await readCatalog(store({ v: 1, at: "x", audiences: ["a"] }), "p", "s"), { v: 1, at: "x", audiences: ["a"] });
  });
});
