/**
 * Exclusions and suppression on sets in memory and on disk (issue 25): every combination gives
 * the naive reference's members and count, members keep where they were, and only the members'
 * old file is deleted (the list belongs to its caller).
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { idSetFrom, SpilledSet, writeSpilled, type BuiltSet, type Fingerprinter } from "../../../provider/plan";
import { removeIds } from "../../../provider/sources";
import { fingerprinterArbitrary, idListArbitrary, sortedUnique, withFingerprinter } from "../../support/id-arbitraries";
import { cookieIds } from "../../support/synthetic-ids";

describe("removeIds", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dsp-remove-ids-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const make = (ids: readonly string[], onDisk: boolean, fingerprinter?: Fingerprinter): BuiltSet => {
    const set = idSetFrom(ids, withFingerprinter(fingerprinter));
    return onDisk ? writeSpilled(dir, set) : set;
  };
  const where = (onDisk: boolean): string => (onDisk ? "on disk" : "in memory");

  it("removes exactly the listed members, wherever each set is, under any fingerprinter", () => {
    fc.assert(
      fc.property(idListArbitrary, idListArbitrary, fingerprinterArbitrary, fc.boolean(), fc.boolean(), (members, listed, fingerprinter, membersOnDisk, listOnDisk) => {
        const list = make(listed, listOnDisk, fingerprinter);
        const { set, removed } = removeIds(make(members, membersOnDisk, fingerprinter), list);
        const expected = sortedUnique(members).filter((id) => !listed.includes(id));
        assert.deepEqual(sortedUnique(set.toArray()), expected);
        assert.equal(set.size, expected.length);
        assert.equal(removed, sortedUnique(members).length - expected.length);
        assert.equal(set instanceof SpilledSet, membersOnDisk, "members stay where they were");
        if (set instanceof SpilledSet) set.dispose();
        if (list instanceof SpilledSet) {
          assert.ok(existsSync(list.path), "the list is its caller's to delete");
          list.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });

  for (const membersOnDisk of [false, true]) {
    for (const listOnDisk of [false, true]) {
      it(`members ${where(membersOnDisk)}, a list ${where(listOnDisk)}: the same set and count as both in memory`, () => {
        const ids = cookieIds(6_000, 251);
        const members = ids.slice(0, 4_000);
        const listed = ids.slice(3_000); // 1,000 members and 2,000 others
        const reference = removeIds(idSetFrom(members), idSetFrom(listed));
        const before = make(members, membersOnDisk);
        const { set, removed } = removeIds(before, make(listed, listOnDisk));
        assert.equal(removed, 1_000);
        assert.equal(removed, reference.removed);
        assert.deepEqual(set.toArray(), reference.set.toArray(), "the same IDs in the same canonical order");
        if (before instanceof SpilledSet) {
          assert.ok(set instanceof SpilledSet && set.path !== before.path, "a new file");
          assert.ok(!existsSync(before.path), "the members' old file is deleted");
        }
      });
    }
  }

  it("returns the members themselves when nothing is removed", () => {
    const members = make(cookieIds(100, 252), false);
    assert.equal(removeIds(members, make(cookieIds(50, 253), true)).set, members);
    assert.equal(removeIds(members, undefined).set, members);
    const spilled = make(cookieIds(100, 252), true);
    assert.equal(removeIds(spilled, make([], true)).set, spilled);
    assert.ok(readdirSync(dir).length > 0);
  });
});
