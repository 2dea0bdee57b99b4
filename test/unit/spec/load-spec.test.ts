import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { formatSpecError, loadSpec, SpecValidationError, type FileProbe } from "../../../provider/spec";
import { specText } from "../../support/spec-text";

/** The formatted errors `loadSpec` rejects with. */
async function loadErrors(path: string, probe?: FileProbe): Promise<string[]> {
  try {
    // A fake file system has no links: every path is its own real path.
    await loadSpec(path, probe === undefined ? {} : { probe, realPath: async (p) => p });
    return [];
  } catch (error) {
    if (!(error instanceof SpecValidationError)) throw error;
    return error.errors.map(formatSpecError);
  }
}

const WITH_FILES = specText(
  "version: 1", //                                                          1
  "defaults: { advertiserId: 1, dataSourceCountry: [US] }", //              2
  "audiences:", //                                                          3
  "  loyal-customers:", //                                                  4
  "    name: Loyal customers 2026", //                                      5
  "    members:", //                                                        6
  "      MAID:", //                                                         7
  "        file: ids/maids.txt", //                                         8
  "      COOKIE: { files: [ids/cookies.txt, ids, ids/more.txt] }", //       9
  "      EXTERNAL_USER_ID: { records: crm }", //                            10
  "records:", //                                                            11
  "  crm:", //                                                              12
  "    csv: pii/crm.csv", //                                                13
);

describe("loadSpec", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "dsp-spec-"));
    await mkdir(join(dir, "ids"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reports each missing or non-regular file at the line that names it, relative to the spec's folder", async () => {
    await writeFile(join(dir, "ids", "cookies.txt"), "EMpBAI0GRcK4nBNGpPGg5g\n");
    await writeFile(join(dir, "audiences.yaml"), WITH_FILES);
    const specPath = join(dir, "audiences.yaml");
    assert.deepEqual(await loadErrors(specPath), [
      `${specPath}:8:15: audiences.loyal-customers.members.MAID.file: ID file not found: ids/maids.txt (paths are relative to the spec file's folder)`,
      `${specPath}:9:42: audiences.loyal-customers.members.COOKIE.files[1]: ID file is not a regular file: ids`,
      `${specPath}:9:47: audiences.loyal-customers.members.COOKIE.files[2]: ID file not found: ids/more.txt (paths are relative to the spec file's folder)`,
      `${specPath}:13:10: records.crm.csv: records CSV not found: pii/crm.csv (paths are relative to the spec file's folder)`,
    ]);
  });

  it("refuses a spec that is not UTF-8 at the line and column of the first bad byte, instead of reading U+FFFD", async () => {
    const specPath = join(dir, "audiences.yaml");
    const text = specText("version: 1", 'defaults: { advertiserId: "1", dataSourceCountry: [US] }', "audiences:", "  a:", "    name: Caf\u0000 customers 2026");
    const [before, after] = text.split("\u0000") as [string, string];
    await writeFile(specPath, Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]));
    assert.deepEqual(await loadErrors(specPath), [`${specPath}:5:14: not valid UTF-8; save the spec as UTF-8`]);
  });

  it("loads when every file exists, without reading the ID files", async () => {
    for (const file of ["ids/maids.txt", "ids/cookies.txt", "ids/more.txt"]) await writeFile(join(dir, file), "not read\n");
    await mkdir(join(dir, "ids", "sub"));
    await mkdir(join(dir, "pii"));
    await writeFile(join(dir, "pii", "crm.csv"), "email\n");
    await writeFile(join(dir, "audiences.yaml"), WITH_FILES.replace("ids, ids/more.txt", "ids/more.txt"));
    const spec = await loadSpec(join(dir, "audiences.yaml"));
    assert.deepEqual(spec.audiences[0]?.members, {
      COOKIE: { kind: "files", files: [join(dir, "ids/cookies.txt"), join(dir, "ids/more.txt")] },
      MAID: { kind: "files", files: [join(dir, "ids/maids.txt")] },
      EXTERNAL_USER_ID: { kind: "records", records: "crm" },
    });
  });

  it("reports file problems together with the spec's other errors, in file order", async () => {
    await writeFile(join(dir, "audiences.yaml"), WITH_FILES.replace("Loyal customers 2026", "Loyal").replace(", ids, ids/more.txt", ""));
    const onlyMaids: FileProbe = async (path) => {
      if (path.endsWith("maids.txt")) return "file";
      throw Object.assign(new Error("gone"), { code: "ENOENT" });
    };
    assert.deepEqual(await loadErrors(join(dir, "audiences.yaml"), onlyMaids), [
      `${join(dir, "audiences.yaml")}:5:11: audiences.loyal-customers.name: must be at least 10 characters, got 5`,
      `${join(dir, "audiences.yaml")}:9:25: audiences.loyal-customers.members.COOKIE.files[0]: ID file not found: ids/cookies.txt (paths are relative to the spec file's folder)`,
      `${join(dir, "audiences.yaml")}:13:10: records.crm.csv: records CSV not found: pii/crm.csv (paths are relative to the spec file's folder)`,
    ]);
  });

  it("probes a file named twice only once", async () => {
    const probed: string[] = [];
    const probe: FileProbe = (path) => {
      probed.push(path);
      return Promise.resolve("file");
    };
    await writeFile(join(dir, "audiences.yaml"), WITH_FILES.replace("ids, ids/more.txt", "ids/maids.txt"));
    await loadSpec(join(dir, "audiences.yaml"), { probe, realPath: async (p) => p });
    assert.deepEqual(probed.sort(), [join(dir, "ids/cookies.txt"), join(dir, "ids/maids.txt"), join(dir, "pii/crm.csv")]);
  });

  it("says when a file cannot be checked", async () => {
    await writeFile(join(dir, "audiences.yaml"), WITH_FILES.replace("ids, ids/more.txt", "ids/maids.txt"));
    const denied: FileProbe = () => Promise.reject(Object.assign(new Error("denied"), { code: "EACCES" }));
    const errors = await loadErrors(join(dir, "audiences.yaml"), denied);
    assert.equal(errors[0], `${join(dir, "audiences.yaml")}:8:15: audiences.loyal-customers.members.MAID.file: ID file cannot be checked (EACCES): ids/maids.txt`);
    assert.equal(errors.length, 4);
  });

  it("rejects with the fs error when the spec itself cannot be read", async () => {
    await assert.rejects(loadSpec(join(dir, "missing.yaml")), { code: "ENOENT" });
  });

  describe("files must stay in the spec's folder tree", () => {
    let spec: string;
    let outside: string;
    const withFiles = (cookieFile: string, csv: string, settings: string[] = []): string =>
      specText(
        "version: 1", //                                                        1
        "defaults: { advertiserId: 1, dataSourceCountry: [US] }", //            2
        "audiences:", //                                                        3
        "  a:", //                                                              4
        "    name: Loyal customers 2026", //                                    5
        `    members: { COOKIE: { file: ${cookieFile} } }`, //                  6
        "records:", //                                                          7
        `  crm: { csv: ${csv} }`, //                                            8
        ...settings,
      );

    beforeEach(async () => {
      spec = join(dir, "spec", "audiences.yaml");
      outside = join(dir, "outside");
      await mkdir(join(dir, "spec", "ids"), { recursive: true });
      await mkdir(outside);
      await writeFile(join(outside, "cookies.txt"), "EMpBAI0GRcK4nBNGpPGg5g\n");
      await writeFile(join(outside, "crm.csv"), "email\n");
      await writeFile(join(dir, "spec", "ids", "cookies.txt"), "EMpBAI0GRcK4nBNGpPGg5g\n");
      await writeFile(join(dir, "spec", "crm.csv"), "email\n");
    });

    it("refuses ../ and absolute paths out of the tree, naming the file and the setting that allows it", async () => {
      await writeFile(spec, withFiles("../outside/cookies.txt", join(outside, "crm.csv")));
      assert.deepEqual(await loadErrors(spec), [
        `${spec}:6:32: audiences.a.members.COOKIE.file: ID file resolves outside the spec's folder: ../outside/cookies.txt; add its folder to settings.allowedRoots to allow it`,
        `${spec}:8:15: records.crm.csv: records CSV resolves outside the spec's folder: ${join(outside, "crm.csv")}; add its folder to settings.allowedRoots to allow it`,
      ]);
    });

    it("refuses a symbolic link in the tree that points out of it", async () => {
      await symlink(join(outside, "cookies.txt"), join(dir, "spec", "ids", "link.txt"));
      await symlink(outside, join(dir, "spec", "linked-folder"));
      await writeFile(spec, withFiles("ids/link.txt", "linked-folder/crm.csv"));
      assert.deepEqual(await loadErrors(spec), [
        `${spec}:6:32: audiences.a.members.COOKIE.file: ID file resolves outside the spec's folder (through a symbolic link): ids/link.txt; add its folder to settings.allowedRoots to allow it`,
        `${spec}:8:15: records.crm.csv: records CSV resolves outside the spec's folder (through a symbolic link): linked-folder/crm.csv; add its folder to settings.allowedRoots to allow it`,
      ]);
    });

    it("accepts files in the tree, and files in a folder settings.allowedRoots names (relative to the spec)", async () => {
      await writeFile(spec, withFiles("ids/cookies.txt", "crm.csv"));
      assert.deepEqual(await loadErrors(spec), []);
      await writeFile(spec, withFiles("../outside/cookies.txt", join(outside, "crm.csv"), ["settings: { allowedRoots: [../outside] }"]));
      const loaded = await loadSpec(spec);
      assert.deepEqual(loaded.settings.allowedRoots, [outside]);
      assert.deepEqual(loaded.records[0]?.allowedRoots, [join(dir, "spec"), outside]);
    });

    it("says so when an allowed root does not exist, and still confines to the others", async () => {
      await writeFile(spec, withFiles("../outside/cookies.txt", "crm.csv", ["settings: { allowedRoots: [../nowhere] }"]));
      assert.deepEqual(await loadErrors(spec), [
        `${spec}:6:32: audiences.a.members.COOKIE.file: ID file resolves outside the spec's folder: ../outside/cookies.txt; add its folder to settings.allowedRoots to allow it`,
        `${spec}:9:28: settings.allowedRoots[0]: allowed root not found: ../nowhere`,
      ]);
    });
  });
});
