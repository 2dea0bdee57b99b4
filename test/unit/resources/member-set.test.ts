import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { idSetFrom, setDigest } from "../../../provider/plan";
import { buildMemberSet } from "../../../provider/resources/member-set";
import { canonicalId } from "../../../provider/spec";

/** `id` with the case of each letter chosen by the bits of `mask`. */
function withCase(id: string, mask: number): string {
  return Array.from(id, (c, i) => ((mask >>> i % 32) & 1 ? c.toUpperCase() : c.toLowerCase())).join("");
}

describe("resources/member-set: one canonical form per ID", () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "member-set-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (text: string): string => {
    const path = join(dir, `ids-${n++}.txt`);
    writeFileSync(path, text);
    return path;
  };

  it("MAIDs: inline lists, ID files and ready sets give the same set and digest, whatever the case", async () => {
    const maids = fc.uniqueArray(fc.uuid(), { minLength: 0, maxLength: 30, selector: (id) => id.toLowerCase() });
    const member = fc.tuple(fc.integer(), fc.integer(), fc.integer());
    await fc.assert(
      fc.asyncProperty(maids.chain((ids) => fc.tuple(fc.constant(ids), fc.array(member, { minLength: ids.length, maxLength: ids.length }))), async ([ids, masks]) => {
        const inline = ids.map((id, i) => withCase(id, masks[i]?.[0] ?? 0));
        // The file repeats every ID in another case, with CRLF: still one member per device.
        const lines = ids.flatMap((id, i) => [withCase(id, masks[i]?.[1] ?? 0), withCase(id, masks[i]?.[2] ?? 0)]);
        const fromFile = await buildMemberSet({ files: [file(lines.join("\r\n"))] }, "MAID");
        const fromList = await buildMemberSet(inline, "MAID");
        const fromSet = await buildMemberSet(idSetFrom(inline), "MAID");
        const reference = idSetFrom(ids.map((id) => id.toLowerCase()));
        assert.equal(fromList.size, ids.length);
        assert.equal(setDigest(fromFile), setDigest(reference));
        assert.equal(setDigest(fromList), setDigest(reference));
        assert.equal(setDigest(fromSet), setDigest(reference));
      }),
      { numRuns: 60 },
    );
  });

  it("keeps COOKIE and EXTERNAL_USER_ID as written: case is part of those IDs, so their digests do not change", async () => {
    const cookies = ["EMpBAI0GRcK4nBNGpPGg5g", "empbai0grck4nbngppgg5g"];
    const listed = await buildMemberSet(cookies, "COOKIE");
    assert.equal(listed.size, 2);
    assert.equal(setDigest(listed), setDigest(idSetFrom(cookies)));
    const filed = await buildMemberSet({ files: [file(`${cookies.join("\n")}\n`)] }, "COOKIE");
    assert.equal(setDigest(filed), setDigest(idSetFrom(cookies)));
    const external = await buildMemberSet(["Abc-1", "abc-1"], "EXTERNAL_USER_ID");
    assert.deepEqual(external.toArray().sort(), ["Abc-1", "abc-1"]);
  });

  it("canonicalId lower-cases MAIDs only", () => {
    assert.equal(canonicalId("MAID", "6F1C2E4A-1B2C-4D5E-8F90-A1B2C3D4E5F6"), "6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
    assert.equal(canonicalId("COOKIE", "EMpBAI0GRcK4nBNGpPGg5g"), "EMpBAI0GRcK4nBNGpPGg5g");
    assert.equal(canonicalId("EXTERNAL_USER_ID", "Abc-1"), "Abc-1");
  });

  it("still names the member or the line of an invalid ID, never the ID", async () => {
    await assert.rejects(buildMemberSet(["not-a-uuid"], "MAID"), (error: Error) => /^MAID member 1: is not a valid MAID/.test(error.message) && !error.message.includes("not-a-uuid"));
    const path = file("6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6\nnope\n");
    await assert.rejects(buildMemberSet({ files: [path] }, "MAID"), (error: Error) => error.message.includes(`${path}:2: is not a valid MAID`) && !error.message.includes("nope"));
  });
});
