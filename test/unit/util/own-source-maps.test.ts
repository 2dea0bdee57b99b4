/**
 * The build ships source maps without naming them in the compiled files, so the SDK's
 * `source-map-support` maps none of our frames; DSP_AUDIENCES_DEBUG=1 maps them again. Reads
 * dist/, which `npm test` builds before the unit tests.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

/** The top frame of an error thrown inside the compiled snapshot-location module, in a process with the SDK's source-map-support. */
function topFrame(debug: boolean): string {
  const script = `
    require(require("module").createRequire(require.resolve("@pulumi/pulumi")).resolve("source-map-support/register"));
    require("./dist/provider/dynamic-providers.js");
    try { require("./dist/provider/config/snapshot-location.js").parseSnapshotUrl("gs://bucket", "/"); }
    catch (e) { process.stdout.write(e.stack.split("\\n")[1]); }`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
  if (debug) env.DSP_AUDIENCES_DEBUG = "1";
  else delete env.DSP_AUDIENCES_DEBUG;
  return execFileSync(process.execPath, ["-e", script], { cwd: ROOT, env, encoding: "utf8" });
}

describe("source maps of the compiled package", () => {
  it("the build names no map in the compiled files and ships the maps beside them", () => {
    const compiled = path.join(ROOT, "dist", "provider", "plan", "id-file-reader.js");
    assert.doesNotMatch(fs.readFileSync(compiled, "utf8"), /^\/\/# sourceMappingURL=/m);
    assert.ok(fs.existsSync(`${compiled}.map`));
  });

  it("leaves our frames unmapped, and maps them to the TypeScript sources with DSP_AUDIENCES_DEBUG=1", () => {
    assert.match(topFrame(false), /dist[\\/]provider[\\/]config[\\/]snapshot-location\.js:\d+:\d+/);
    assert.match(topFrame(true), /provider[\\/]config[\\/]snapshot-location\.ts:\d+:\d+/);
  });

  it("scripts/unlink-source-maps.js removes only the trailing map line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-unlink-"));
    try {
      fs.mkdirSync(path.join(dir, "a"));
      const mapped = '"use strict";\nconst s = "//# sourceMappingURL=kept.js.map";\n//# sourceMappingURL=x.js.map';
      fs.writeFileSync(path.join(dir, "a", "x.js"), mapped);
      fs.writeFileSync(path.join(dir, "a", "x.js.map"), "{}");
      fs.writeFileSync(path.join(dir, "y.d.ts"), "//# sourceMappingURL=y.d.ts.map");
      execFileSync(process.execPath, [path.join(ROOT, "scripts", "unlink-source-maps.js"), dir]);
      assert.equal(fs.readFileSync(path.join(dir, "a", "x.js"), "utf8"), '"use strict";\nconst s = "//# sourceMappingURL=kept.js.map";\n');
      assert.ok(fs.existsSync(path.join(dir, "a", "x.js.map")));
      assert.equal(fs.readFileSync(path.join(dir, "y.d.ts"), "utf8"), "//# sourceMappingURL=y.d.ts.map");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
