import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ByteStringSet } from "../../../simulator/byte-string-set";

type Command = { kind: "add" | "delete" | "has"; value: string };

describe("simulator/byte-string-set", () => {
  it("behaves like Set<string> under any sequence of add/delete/has (model-based)", () => {
    // A small alphabet makes values repeat, so deletes and re-adds really happen.
    const value = fc.oneof(fc.stringMatching(/^[ab]{0,3}$/), fc.string({ maxLength: 4 }), fc.constantFrom("é", "日本", "x".repeat(100)));
    const command = fc.record({ kind: fc.constantFrom("add", "delete", "has"), value }) as fc.Arbitrary<Command>;
    fc.assert(
      fc.property(fc.array(command, { maxLength: 300 }), (commands) => {
        const model = new Set<string>();
        const set = new ByteStringSet();
        for (const c of commands) {
          if (c.kind === "add") {
            const added = !model.has(c.value);
            model.add(c.value);
            assert.equal(set.add(c.value), added);
          } else if (c.kind === "delete") {
            assert.equal(set.delete(c.value), model.delete(c.value));
          } else {
            assert.equal(set.has(c.value), model.has(c.value));
          }
          assert.equal(set.size, model.size);
        }
        assert.deepEqual([...set.values()], [...model.values()], "insertion order");
      }),
      { numRuns: 300 },
    );
  });

  it("grows and rehashes across 100,000 adds, deletes and re-adds", () => {
    const set = new ByteStringSet();
    const key = (i: number): string => `cookie-${i.toString(36).padStart(12, "0")}`;
    for (let i = 0; i < 100_000; i++) set.add(key(i));
    for (let i = 0; i < 100_000; i += 2) assert.ok(set.delete(key(i)));
    for (let i = 0; i < 100_000; i += 4) set.add(key(i)); // refill some deleted keys
    for (let i = 0; i < 100_000; i++) assert.equal(set.has(key(i)), i % 2 === 1 || i % 4 === 0, key(i));
    assert.equal(set.size, 75_000);
    assert.equal(new Set(set.values()).size, 75_000);
  });

  it("reclaims the bytes of deleted values under add/delete churn (arena compaction)", () => {
    const set = new ByteStringSet();
    const keep = Array.from({ length: 100 }, (_, i) => `keep-${i}`);
    keep.forEach((k) => set.add(k));
    for (let i = 0; i < 50_000; i++) {
      set.add(`churn-${i}-${"x".repeat(40)}`);
      set.delete(`churn-${i}-${"x".repeat(40)}`);
    }
    assert.deepEqual([...set.values()], keep);
    const arenaTop = (set as unknown as { arenaTop: number }).arenaTop;
    assert.ok(arenaTop < 100_000, `arena holds ${arenaTop} bytes for 100 short values after churning 2.8 MB`);
  });

  it("adds and finds byte ranges of a larger buffer without creating strings", () => {
    const body = Buffer.from('{"path":"/COOKIE-abc/audiences"}');
    const set = new ByteStringSet();
    assert.equal(set.addBytes(body, 17, 20), true);
    assert.equal(set.has("abc"), true);
    assert.equal(set.hasBytes(Buffer.from("xabcx"), 1, 4), true);
    assert.equal(set.deleteBytes(Buffer.from("abc"), 0, 3), true);
    assert.equal(set.size, 0);
  });
});
