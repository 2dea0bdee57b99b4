import { strict as assert } from "node:assert";
import { OwnershipClaims, OwnershipError } from "../../../provider/resources/ownership";

describe("ownership: one membership per audience and ID type", () => {
  let claims: OwnershipClaims;
  beforeEach(() => {
    claims = new OwnershipClaims(); // one program
  });

  it("refuses a second membership of one audience and ID type, naming both", () => {
    claims.claimMembership("72057594038053891", "COOKIE", "vip-cookie");
    claims.claimMembership("72057594038053891", "COOKIE", "vip-cookie"); // the same one again (an apply that runs twice)
    claims.claimMembership("72057594038053891", "MAID", "vip-maid");
    claims.claimMembership("72057594038053892", "COOKIE", "other-cookie");
    assert.throws(
      () => claims.claimMembership("72057594038053891", "COOKIE", "copy-cookie"),
      (e: unknown) =>
        e instanceof OwnershipError &&
        e.message ===
          'AudienceMembership "copy-cookie" and "vip-cookie" both manage the COOKIE IDs of audience 72057594038053891: each would remove what the other adds. ' +
            "Declare one membership per audience and ID type (put all the IDs in it).",
    );
  });

  it("refuses two audiences adopting one id", () => {
    claims.claimAdoptedAudience("72057594038053891", "vip");
    assert.throws(() => claims.claimAdoptedAudience("72057594038053891", "vip-again"), /DataProviderAudience "vip-again" and "vip" both adopt audience 72057594038053891/);
  });
});
