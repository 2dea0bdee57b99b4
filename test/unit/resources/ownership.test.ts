import { strict as assert } from "node:assert";
import { claimAdoptedAudience, claimMembership, OwnershipError, resetOwnershipClaims } from "../../../provider/resources/ownership";

describe("ownership: one membership per audience and ID type", () => {
  beforeEach(resetOwnershipClaims);

  it("refuses a second membership of one audience and ID type, naming both", () => {
    claimMembership("72057594038053891", "COOKIE", "vip-cookie");
    claimMembership("72057594038053891", "COOKIE", "vip-cookie"); // the same one again (an apply that runs twice)
    claimMembership("72057594038053891", "MAID", "vip-maid");
    claimMembership("72057594038053892", "COOKIE", "other-cookie");
    assert.throws(
      () => claimMembership("72057594038053891", "COOKIE", "copy-cookie"),
      (e: unknown) =>
        e instanceof OwnershipError &&
        e.message ===
          'AudienceMembership "copy-cookie" and "vip-cookie" both manage the COOKIE IDs of audience 72057594038053891: each would remove what the other adds. ' +
            "Declare one membership per audience and ID type (put all the IDs in it).",
    );
  });

  it("refuses two audiences adopting one id", () => {
    claimAdoptedAudience("72057594038053891", "vip");
    assert.throws(() => claimAdoptedAudience("72057594038053891", "vip-again"), /DataProviderAudience "vip-again" and "vip" both adopt audience 72057594038053891/);
  });
});
