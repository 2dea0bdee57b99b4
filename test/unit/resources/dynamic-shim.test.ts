import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dynamicShim, PROVIDERS_MODULE } from "../../../provider/resources/dynamic-shim";
import { loadProvider } from "../../../provider/dynamic-providers";

describe("dynamic shim", () => {
  it("hands out one provider object per implementation, so the SDK serializes it once", () => {
    const a = dynamicShim("one", "./impl.js");
    assert.equal(dynamicShim("one", "./impl.js"), a);
    assert.notEqual(dynamicShim("two", "./impl.js"), a);
    assert.notEqual(dynamicShim("one"), a);
  });

  it("loads the implementation from the program's folder at call time, by module name", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-shim-"));
    const cwd = process.cwd();
    try {
      fs.writeFileSync(
        path.join(dir, "impl.js"),
        'module.exports = { loadProvider: (name) => ({ create: async (inputs) => ({ id: name + ":" + inputs.n, outs: inputs }) }) };',
      );
      const shim = dynamicShim("probe", "./impl.js");
      process.chdir(dir);
      const created = await shim.create({ n: 7 });
      assert.equal(created.id, "probe:7");
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers as the SDK does for the methods an implementation leaves out", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-shim-"));
    const cwd = process.cwd();
    try {
      fs.writeFileSync(path.join(dir, "partial.js"), "module.exports = { loadProvider: () => ({ create: async () => ({ id: 'x' }) }) };");
      const shim = dynamicShim("partial", "./partial.js");
      process.chdir(dir);
      assert.deepEqual(await shim.check?.({ a: 1 }, { a: 2 }), { inputs: { a: 2 } });
      assert.deepEqual(await shim.diff?.("x", { a: 1 }, { a: 2 }), {});
      assert.deepEqual(await shim.read?.("x", { a: 1 }), { id: "x", props: { a: 1 } });
      assert.deepEqual(await shim.update?.("x", { a: 1 }, { a: 2 }), { outs: { a: 2 } });
      assert.equal(await shim.delete?.("x", { a: 1 }), undefined);
      assert.equal(await shim.configure?.({ config: { get: () => undefined } } as never), undefined);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the package's own providers by their exported table", () => {
    assert.equal(PROVIDERS_MODULE, "dsp-audiences/dynamic-providers");
    for (const name of ["audienceProvider", "membershipProvider", "hashedRecordsProvider", "userDeletionsProvider"]) {
      assert.equal(typeof loadProvider(name).create, "function", name);
    }
    assert.throws(() => loadProvider("toString"), /no dynamic provider named "toString"/);
  });
});
