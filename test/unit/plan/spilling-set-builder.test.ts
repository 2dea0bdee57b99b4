import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { IdSet, idSetFrom, RANGE_COUNT, setDigest, sliceRanges, SpilledSet, SpillingSetBuilder, type Fingerprinter } from "../../../provider/plan";
import { fingerprinterArbitrary, idListArbitrary, withFingerprinter } from "../../support/id-arbitraries";

describe("SpillingSetBuilder", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "spill-test-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const build = (ids: readonly string[], memoryBytes: number, fingerprinter?: Fingerprinter): IdSet | SpilledSet => {
    const builder = new SpillingSetBuilder({ memoryBytes, directory, ...(fingerprinter === undefined ? {} : { fingerprinter }) });
    for (const id of ids) builder.add(id);
    return builder.build();
  };

  it("gives the set in memory when it fits the budget", () => {
    const built = build(["b", "a", "b"], 1 << 20);
    assert.ok(built instanceof IdSet);
    assert.deepEqual(built.toArray().sort(), ["a", "b"]);
    assert.equal(built.duplicatesRemoved, 1);
    assert.deepEqual(readdirSync(directory), []);
  });

  it("spilled, it holds exactly the set the in-memory builder makes: bytes, digest, repeats, under any fingerprinter", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(idListArbitrary, { minLength: 1, maxLength: 4 }).map((lists) => lists.flat()), fingerprinterArbitrary, async (ids, fingerprinter) => {
        const expected = idSetFrom(ids, withFingerprinter(fingerprinter));
        const built = build(ids, 300, fingerprinter);
        const whole = built instanceof SpilledSet ? built.ranges(0, RANGE_COUNT) : built;
        assert.ok(whole.bytes.equals(expected.bytes));
        assert.equal(whole.size, expected.size);
        assert.equal(built.duplicatesRemoved, expected.duplicatesRemoved);
        if (built instanceof SpilledSet) {
          assert.equal(await built.digest(), setDigest(expected));
          assert.equal(built.size, expected.size);
          built.dispose();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("reads any run of fingerprint ranges as the same IDs as slicing the set in memory", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `id-${i * 7919}`);
    const built = build(ids, 20_000);
    assert.ok(built instanceof SpilledSet, "5,000 IDs in a 20 kB budget spill");
    const expected = idSetFrom(ids);
    for (const [from, to] of [[0, 1], [3, 77], [128, 256], [255, 256], [0, 256]] as const) {
      assert.ok(built.ranges(from, to).bytes.equals(sliceRanges(expected, from, to).bytes), `ranges ${from}..${to}`);
    }
    const name = built.path.slice(directory.length + 1);
    assert.deepEqual(readdirSync(directory).sort(), [name, `${name}.fp`], "only the merged set (and its fingerprints) is left; runs are deleted");
    built.dispose();
  });
});
