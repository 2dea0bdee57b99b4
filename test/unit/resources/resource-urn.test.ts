import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { dynamicResourceType, ownUrn } from "../../../provider/resources/resource-urn";

const valueOf = (input: pulumi.Input<string>): Promise<string> => new Promise((resolve) => pulumi.output(input).apply((v) => resolve(v)));

describe("ownUrn", () => {
  it("is the URN the SDK builds for a resource without a parent, as a plain string", async () => {
    const urn = ownUrn("a1", "dsp-audiences", "AudienceMembership", undefined);
    assert.equal(typeof urn, "string");
    assert.equal(urn, await valueOf(pulumi.createUrn("a1", dynamicResourceType("dsp-audiences", "AudienceMembership"))));
    assert.equal(urn, ownUrn("a1", "dsp-audiences", "AudienceMembership", {}));
  });

  it("follows the parent's URN when there is one", async () => {
    const parent = "urn:pulumi:dev::proj::my:Component::group";
    const urn = await valueOf(ownUrn("a1", "dsp-audiences", "DataProviderAudience", { parent: parent as never }));
    assert.equal(urn, await valueOf(pulumi.createUrn("a1", dynamicResourceType("dsp-audiences", "DataProviderAudience"), parent)));
    assert.ok(urn.includes("my:Component$pulumi-nodejs:dynamic/dsp-audiences:DataProviderAudience::a1"), urn);
  });
});
