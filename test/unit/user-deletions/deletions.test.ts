import { strict as assert } from "node:assert";
import {
  decodeDeletion,
  deletionKey,
  describeDeletions,
  droppedDeletionsNote,
  encodeDeletion,
  planDeletions,
  deletionBodies,
  sentEntry,
  sentKeyOf,
  toUserDeletionInput,
  type DeletionEntry,
} from "../../../provider/user-deletions/deletions";

const ext = (value: string, extra: Partial<DeletionEntry> = {}): DeletionEntry => ({ type: "EXTERNAL_USER_ID", value, ...extra });

describe("records/deletions: what is sent", () => {
  it("encodes a deletion as one snapshot line and back", () => {
    for (const e of [ext("abc"), ext("abc", { advertiserId: "9223372036854775001", consentTime: "1767225600000" }), { type: "COOKIE" as const, value: "a/b+c=:d" }]) {
      const text = encodeDeletion(e);
      assert.ok(!text.includes("\n"));
      assert.deepEqual(decodeDeletion(text), e);
    }
  });

  it("identifies a deletion by type, value and advertiser, not by consent time", () => {
    assert.equal(deletionKey(ext("abc", { consentTime: "1" })), deletionKey(ext("abc", { consentTime: "2" })));
    assert.notEqual(deletionKey(ext("abc")), deletionKey(ext("abc", { advertiserId: "1" })));
    assert.notEqual(deletionKey(ext("abc")), deletionKey({ type: "COOKIE", value: "abc" }));
    assert.equal(sentKeyOf(sentEntry(deletionKey(ext("abc")), "req-1")), deletionKey(ext("abc")));
  });

  it("sends only what was never sent, once per key, and counts what left the spec", () => {
    const sent = [sentEntry(deletionKey(ext("a")), "r1"), sentEntry(deletionKey(ext("gone")), "r1")];
    const desired = [ext("a"), ext("b", { consentTime: "1" }), ext("b", { consentTime: "2" }), ext("c", { advertiserId: "7" })].map(encodeDeletion);
    const plan = planDeletions(desired, sent);
    assert.deepEqual(plan.toSend.map((e) => e.value), ["b", "c"]);
    assert.equal(plan.alreadySent, 1);
    assert.equal(plan.droppedFromSpec, 1);
    assert.equal(describeDeletions("deletions", plan), "deletions: 2 to send (1 already sent)");
    assert.deepEqual(planDeletions(desired, [...sent, ...plan.toSend.map((e) => sentEntry(deletionKey(e), "r2"))]).toSend, []);
  });

  it("says that a dropped deletion is not undone", () => {
    assert.equal(
      droppedDeletionsNote("deletions", 1),
      "deletions: 1 deletion was sent before and is no longer listed; a deletion cannot be undone (Amazon erases the data within 30 days), so nothing is sent.",
    );
    assert.match(droppedDeletionsNote("deletions", 2), /2 deletions were sent before and are no longer listed/);
  });

  it("converts to the client's input with consent time in epoch ms", () => {
    assert.deepEqual(toUserDeletionInput(ext("a", { advertiserId: "12", consentTime: "1767225600000" })), {
      type: "EXTERNAL_USER_ID",
      value: "a",
      advertiserId: "12",
      consentTime: 1767225600000,
    });
  });

  it("groups ≤1,000 users per request, fewer when long cookies would pass 1 MB", () => {
    const many = Array.from({ length: 2_345 }, (_, i) => ext(`user-${i}`));
    assert.deepEqual([...deletionBodies(many)].map((g) => g.keys.length), [1000, 1000, 345]);
    assert.deepEqual([...deletionBodies(many)].flatMap((g) => g.keys), many, "each body carries its deletions, in order");
    const longCookies = Array.from({ length: 1_000 }, (_, i) => ({ type: "COOKIE" as const, value: `${"c".repeat(1_990)}${i}` }));
    const groups = [...deletionBodies(longCookies)].map((g) => g.keys);
    assert.ok(groups.length > 1, "split by bytes");
    assert.equal(groups.flat().length, 1_000);
  });
});
