import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import { validateSpecCommand } from "../../../provider/spec";
import { specText } from "../../support/spec-text";

async function runValidate(path: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await validateSpecCommand(path, (line) => lines.push(line));
  return { code, lines };
}

describe("validateSpecCommand", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "dsp-validate-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints a one-line summary and exits 0 for the example", async () => {
    const examplePath = relative(process.cwd(), join(__dirname, "..", "..", "..", "examples", "basic", "audiences.yaml"));
    assert.deepEqual(await runValidate(examplePath), { code: 0, lines: [`✓ ${examplePath}: 3 audiences, 9 inline IDs, 3 ID files`] });
  });

  it("formats counts with thousands separators and singulars, and mentions records and deletions when present", async () => {
    const ids = Array.from({ length: 12345 }, (_, index) => `      - crm-${index}`);
    const path = join(dir, "audiences.yaml");
    await writeFile(join(dir, "crm.csv"), "email\n");
    await writeFile(
      path,
      specText(
        "version: 1",
        "audiences:",
        "  a1:",
        "    name: Only audience",
        "    advertiserId: 1",
        "    dataSourceCountry: [US]",
        "    members:",
        "      EXTERNAL_USER_ID:",
        ...ids,
        "records: { crm: { csv: crm.csv } }",
        "deletions: [{ type: EXTERNAL_USER_ID, value: crm-1 }]",
      ),
    );
    assert.deepEqual(await runValidate(path), { code: 0, lines: [`✓ ${path}: 1 audience, 12,345 inline IDs, 0 ID files, 1 records source, 1 deletion`] });
  });

  it("lists every error, then a count, and exits 1", async () => {
    const path = join(dir, "audiences.yaml");
    await writeFile(path, specText("version: 1", "audiences:", "  a1:", "    name: Short", "    colour: blue"));
    assert.deepEqual(await runValidate(path), {
      code: 1,
      lines: [
        `${path}:3:3: audiences.a1: missing advertiserId; set it here or in defaults`,
        `${path}:3:3: audiences.a1: missing dataSourceCountry; set it here or in defaults`,
        `${path}:4:11: audiences.a1.name: must be at least 10 characters, got 5`,
        `${path}:5:5: audiences.a1.colour: unknown key "colour"; expected one of: name, description, externalAudienceId, advertiserId, ttl, dataSourceCountry, audienceFees, consent, adopt, members, exclude`,
        `✗ ${path}: 4 errors`,
      ],
    });
  });

  it("exits 2 when the spec file cannot be read", async () => {
    const path = join(dir, "nope.yaml");
    assert.deepEqual(await runValidate(path), { code: 2, lines: [`✗ ${path}: cannot read the spec file (ENOENT)`] });
  });
});
