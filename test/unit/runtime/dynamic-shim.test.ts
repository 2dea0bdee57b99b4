import { strict as assert } from "assert";
import * as path from "path";
import { dynamicShim, moduleRefFrom } from "../../../provider/runtime/dynamic-shim";

describe("dynamic shim module references", () => {
  it("is relative to the program folder inside a checkout, without the extension", () => {
    assert.equal(moduleRefFrom("/repo", "/repo/provider/resources/x.ts"), "./provider/resources/x");
    assert.equal(moduleRefFrom("/repo/examples/basic", "/repo/provider/runtime/loader.js"), "../../provider/runtime/loader");
  });

  it("is a package specifier when the package is installed under node_modules", () => {
    assert.equal(moduleRefFrom("/app", "/app/node_modules/dsp-audiences/provider/runtime/loader.js"), "dsp-audiences/provider/runtime/loader");
  });

  it("never contains an absolute path of this machine", () => {
    const ref = moduleRefFrom(process.cwd(), path.join(process.cwd(), "provider", "runtime", "loader.js"));
    assert.ok(!path.isAbsolute(ref));
    assert.ok(!ref.includes(process.cwd()));
  });

  it("hands out one provider object per implementation, so the SDK serializes it once", () => {
    const a = dynamicShim("/x/impl.ts", "one");
    assert.equal(dynamicShim("/x/impl.ts", "one"), a);
    assert.notEqual(dynamicShim("/x/impl.ts", "two"), a);
  });
});
