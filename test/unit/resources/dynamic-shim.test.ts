import { strict as assert } from "assert";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import { PROVIDERS_MODULE, ShimResource, shimSource, type ProviderImpl } from "../../../provider/resources/dynamic-shim";
import { loadProvider } from "../../../provider/dynamic-providers";

/** What the official dynamic-provider host does with a resource's `__provider` text. */
const requireFromString = createRequire(require.resolve("@pulumi/pulumi/package.json"))("require-from-string") as (code: string) => { handler(): ProviderImpl };

describe("dynamic shim", () => {
  it("is a module whose handler loads the implementation from the program's folder at call time, by module name", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-shim-"));
    const cwd = process.cwd();
    try {
      fs.writeFileSync(
        path.join(dir, "impl.js"),
        'module.exports = { loadProvider: (name) => ({ create: async (inputs) => ({ id: name + ":" + inputs.n, outs: inputs }) }) };',
      );
      const shim = requireFromString(shimSource("probe", "./impl.js"));
      process.chdir(dir);
      const created = await shim.handler().create?.({ n: 7 });
      assert.equal(created?.id, "probe:7");
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stays one short line naming the module and the implementation, and no path of this machine", () => {
    const source = shimSource("membershipProvider");
    assert.ok(source.length < 300, `${source.length} bytes`);
    assert.equal(source.trimEnd().split("\n").length, 1);
    assert.ok(source.includes(JSON.stringify(PROVIDERS_MODULE)) && source.includes('"membershipProvider"'));
    assert.ok(!source.includes(process.cwd()) && !source.includes(__dirname));
    // Names are JSON-quoted, so no name can end the string and add code.
    assert.ok(shimSource('a"); process.exit(1); ("').includes('"a\\"); process.exit(1); (\\""'));
  });

  it("refuses inputs that define __provider", () => {
    assert.throws(() => new ShimResource("probe", "r", { __provider: "x" }), /must not define the __provider key/);
  });

  it("still runs the closure shim that earlier versions stored in state (the SDK's serialization, kept as a fixture)", async () => {
    // The program's folder is this package's own: the shim finds dsp-audiences/dynamic-providers by self-reference.
    const old = requireFromString(fs.readFileSync(path.join(__dirname, "fixtures", "closure-shim-state.txt"), "utf8"));
    const provider = old.handler();
    assert.equal(typeof provider.diff, "function");
    // The membership implementation has no read: the old shim answers as the SDK would, after loading it.
    assert.deepEqual(await provider.read?.("m1", { a: 1 }), { id: "m1", props: { a: 1 } });
  });

  it("names an implementation this version does not know when the host first asks for it", () => {
    const shim = requireFromString(shimSource("noSuchProvider"));
    assert.throws(() => shim.handler(), /no dynamic provider named "noSuchProvider"/);
  });

  it("names the package's own providers by their exported table", () => {
    assert.equal(PROVIDERS_MODULE, "dsp-audiences/dynamic-providers");
    for (const name of ["audienceProvider", "membershipProvider", "hashedRecordsProvider", "userDeletionsProvider"]) {
      assert.equal(typeof loadProvider(name).create, "function", name);
    }
    assert.throws(() => loadProvider("toString"), /no dynamic provider named "toString"/);
  });
});
