import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useSuiteTempFolder } from "../../support/suite-temp-folder";

describe("test/support/suite-temp-folder", () => {
  it("gives a run its own temp folder and puts the old one back", () => {
    const before = tmpdir();
    const temp = useSuiteTempFolder();
    assert.equal(tmpdir(), temp.folder);
    mkdirSync(join(temp.folder, "some-test-work"));
    temp.end();
    assert.equal(tmpdir(), before);
    assert.equal(existsSync(temp.folder), false);
  });

  it("fails the run when a folder of the product is left, naming it, and still cleans up", () => {
    const before = tmpdir();
    const temp = useSuiteTempFolder();
    mkdirSync(join(temp.folder, "dsp-plan-abc123"));
    mkdirSync(join(temp.folder, "dsp-sources-def456"));
    assert.throws(() => temp.end(), /left 2 folder\(s\) of the product .*dsp-plan-abc123, dsp-sources-def456/);
    assert.equal(tmpdir(), before);
    assert.equal(existsSync(temp.folder), false);
  });

  it("lets this process's own empty sorted-sets folder go at exit, but not one still holding a set", () => {
    const temp = useSuiteTempFolder();
    for (const name of ["dsp-set-own-empty", "dsp-set-own-full"]) {
      mkdirSync(join(temp.folder, name));
      writeFileSync(join(temp.folder, name, "owner.json"), JSON.stringify({ pid: process.pid, host: "here" }));
    }
    writeFileSync(join(temp.folder, "dsp-set-own-full", "set-1"), "");
    assert.throws(() => temp.end(), /left 1 folder\(s\) of the product .*\(dsp-set-own-full\)/);
  });
});
