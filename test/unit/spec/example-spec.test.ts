import { strict as assert } from "node:assert";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { ID_SYNTAX_CHECKS, loadSpec } from "../../../provider/spec";

const EXAMPLE_DIR = join(__dirname, "..", "..", "..", "examples", "basic");

describe("examples/basic", () => {
  it("validates and resolves to three audiences", async () => {
    const spec = await loadSpec(join(EXAMPLE_DIR, "audiences.yaml"));
    assert.deepEqual(
      spec.audiences.map((audience) => [audience.key, audience.externalAudienceId, audience.advertiserId, audience.ttl, audience.dataSourceCountry]),
      [
        ["loyal-customers", "loyal-customers-2026", "5840142710901", 2592000, ["US"]],
        ["cart-abandoners", "cart-abandoners", "5840142710901", 604800, ["US", "CA"]],
        ["app-installers", "app-installers", "5840142710901", 2592000, ["US"]],
      ],
    );
  });

  it("ships ID files of thousands of well-formed, distinct synthetic IDs", async () => {
    const files: Array<[string, "COOKIE" | "MAID", number]> = [
      ["site-visitor-cookies.txt", "COOKIE", 4000],
      ["android-aaids.txt", "MAID", 2500],
      ["ios-idfas.txt", "MAID", 1500],
    ];
    for (const [name, type, count] of files) {
      const ids = (await readFile(join(EXAMPLE_DIR, "ids", name), "utf8")).split("\n").filter((line) => line !== "" && !line.startsWith("#"));
      assert.equal(ids.length, count, name);
      assert.equal(new Set(ids.map((id) => id.toLowerCase())).size, count, `${name} has repeats`);
      assert.deepEqual(ids.filter((id) => ID_SYNTAX_CHECKS[type](id) !== undefined), [], `${name} has malformed IDs`);
    }
  });
});
