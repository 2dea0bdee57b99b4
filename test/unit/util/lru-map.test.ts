import { strict as assert } from "node:assert";
import { LruMap } from "../../../provider/util/lru-map";

describe("LRU map", () => {
  it("keeps the most recently used entries only, whatever the number of keys", () => {
    const map = new LruMap<string, number>(3);
    for (let i = 0; i < 1000; i++) map.set(`k${i}`, i);
    assert.equal(map.size, 3);
    assert.deepEqual([map.get("k997"), map.get("k998"), map.get("k999"), map.get("k0")], [997, 998, 999, undefined]);
  });

  it("counts a get as a use: the entry read survives the next eviction, the oldest one does not", () => {
    const map = new LruMap<string, string>(2);
    map.set("a", "A").set("b", "B");
    assert.equal(map.get("a"), "A");
    map.set("c", "C");
    assert.deepEqual([map.get("a"), map.get("b"), map.get("c")], ["A", undefined, "C"]);
  });

  it("holds a falsy value, replaces a key in place, and refuses a capacity below 1", () => {
    const map = new LruMap<string, number>(2);
    map.set("zero", 0).set("zero", 0);
    assert.equal(map.size, 1);
    assert.equal(map.get("zero"), 0);
    assert.throws(() => new LruMap(0), RangeError);
  });
});
