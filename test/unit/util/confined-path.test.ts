import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { readRecordSets } from "../../../provider/customer-records/records-source";
import { confinedPath, FileOutsideRootsError, isInsideFolder } from "../../../provider/util/confined-path";

describe("confined paths", () => {
  it("tells inside from outside by path, not by prefix", () => {
    assert.equal(isInsideFolder("/a/b/c.txt", "/a/b"), true);
    assert.equal(isInsideFolder("/a/b", "/a/b"), true);
    assert.equal(isInsideFolder("/a/bc/d.txt", "/a/b"), false);
    assert.equal(isInsideFolder("/a/..b/d.txt", "/a"), true);
    assert.equal(isInsideFolder("/etc/passwd", "/a/b"), false);
  });

  describe("on a real file system", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "dsp-confined-"));
      await mkdir(join(dir, "program", "data"), { recursive: true });
      await mkdir(join(dir, "elsewhere"));
      await writeFile(join(dir, "elsewhere", "people.csv"), "id,email\n1,a@example.com\n");
      await writeFile(join(dir, "program", "data", "people.csv"), "id,email\n1,a@example.com\n");
      await symlink(join(dir, "elsewhere", "people.csv"), join(dir, "program", "data", "link.csv"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("returns the real path of a file inside a root, and allows anything without roots", async () => {
      const cwd = join(dir, "program");
      assert.equal(await confinedPath("data/people.csv", ["data"], cwd), join(dir, "program", "data", "people.csv"));
      assert.equal(await confinedPath("data/link.csv", undefined, cwd), join(dir, "elsewhere", "people.csv"));
    });

    it("refuses a link out of the roots where the provider opens the CSV, naming the file as given", async () => {
      const settings = { csv: "data/link.csv", idColumn: "id", minRows: 1, allowedRoots: ["data"] };
      await assert.rejects(readRecordSets(settings, "crm", { cwd: join(dir, "program") }), (error: unknown) => {
        assert.ok(error instanceof FileOutsideRootsError);
        assert.equal(error.message, "data/link.csv: resolves outside the allowed folders (data) after symbolic links; refusing to read it");
        return true;
      });
    });
  });
});
