import { strict as assert } from "assert";
import * as path from "path";

/**
 * State written by 0.1.0 checkouts holds providers that require provider/runtime/loader.js and ask
 * it for an implementation by its old path; after an upgrade they must get the compiled one.
 * Reads dist/, which `npm test` builds before the unit tests.
 */
describe("runtime/loader.js (state written by 0.1.0)", () => {
  const loader = require(path.join(__dirname, "..", "..", "..", "provider", "runtime", "loader.js")) as {
    load(ref: string, exportName: string): { create?: unknown; diff?: unknown };
  };

  for (const [ref, name] of [
    ["./provider/resources/membership-provider", "membershipProvider"],
    ["./provider/resources/audience-provider", "audienceProvider"],
    ["./provider/resources/hashed-records-provider", "hashedRecordsProvider"],
    ["./provider/resources/user-deletions-provider", "userDeletionsProvider"],
  ] as const) {
    it(`serves ${name} asked for by its 0.1.0 path`, () => {
      const impl = loader.load(ref, name);
      assert.equal(typeof impl.create, "function");
    });
  }

  it("refuses a name this version does not know", () => {
    assert.throws(() => loader.load("./provider/resources/x", "noSuchProvider"), /no dynamic provider named "noSuchProvider"/);
  });
});
