import assert from "node:assert/strict";
import { checkUserDeletions, packKeyedUserDeletions, packUserDeletions } from "../../../../provider/client/bodies/user-deletions";
import { RecordTooLargeError } from "../../../../provider/client/input-errors";
import { assertWithinLimits } from "../../../support/request-bodies";

describe("PATCH /v2/dp/users bodies", () => {
  it("builds the spec's shape (advertiserId as a string, consentTime in ms)", () => {
    const [batch] = [...packUserDeletions([{ type: "MAID", value: "m-1", advertiserId: "72057594038053890", consentTime: 1_700_000_000_000 }, { type: "COOKIE", value: 'c"2' }])];
    assert.equal(
      batch?.body.toString(),
      '{"operation":"DELETE","users":[{"userId":{"type":"MAID","value":"m-1"},"advertiserId":"72057594038053890","consentTime":1700000000000},{"userId":{"type":"COOKIE","value":"c\\"2"}}]}',
    );
  });

  it("splits at 1000 users and at the byte limit", () => {
    const users = Array.from({ length: 2500 }, (_, i) => ({ type: "COOKIE" as const, value: `cookie-${i}` }));
    assert.deepEqual([...packUserDeletions(users)].map((b) => b.ops), [1000, 1000, 500]);
    const small = [...packUserDeletions(users.slice(0, 50), { maxBodyBytes: 500, maxUsers: 1000 })];
    assertWithinLimits(small, 500);
    assert.equal(small.reduce((n, b) => n + b.ops, 0), 50);
  });

  it("validates before sending", () => {
    assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "" }]), /users\[0\].value is empty/);
    assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "x", advertiserId: "abc" }]), /users\[0\].advertiserId must be an int64/);
    assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "x", consentTime: -1 }]), /consentTime must be epoch milliseconds/);
    assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "y".repeat(600) }], { maxBodyBytes: 500, maxUsers: 1000 }), RecordTooLargeError);
  });
});

describe("PATCH /v2/dp/users bodies with the keys they carry", () => {
  it("user deletions: each body carries the keys of its users", () => {
    const users = Array.from({ length: 2500 }, (_, i) => ({ input: { type: "COOKIE" as const, value: `cookie-${i}` }, key: `k${i}` }));
    const bodies = [...packKeyedUserDeletions(users)];
    assert.deepEqual(bodies.map((b) => b.keys.length), [1000, 1000, 500]);
    assert.deepEqual(bodies.flatMap((b) => b.keys), users.map((u) => u.key));
    assert.deepEqual(bodies.map((b) => b.body), [...packUserDeletions(users.map((u) => u.input))].map((b) => b.body));
  });
});
