import { strict as assert } from "node:assert";
import { audienceIdsFromText, parseAdoptArgs } from "../../../provider/cli/adopt-command";
import { UsageError } from "../../../provider/util/command-line";

describe("cli/adopt-command (arguments)", () => {
  it("takes ids as arguments and from a file, distinct, in order, as strings", () => {
    const files: Record<string, string> = { "ids.txt": "# ours\n9223372036854775807\n\n72057594038053891  # again\r\n" };
    const request = parseAdoptArgs(["72057594038053891", "--ids-file", "ids.txt", "--write", "a.yaml", "--endpoint", "http://127.0.0.1:1"], (f) => files[f] as string);
    assert.deepEqual(request, { ids: ["72057594038053891", "9223372036854775807"], write: "a.yaml", endpoint: "http://127.0.0.1:1" });
  });

  const bad: Array<[string[], RegExp]> = [
    [[], /give audience ids as arguments or with --ids-file/],
    [["1e5"], /argument 1 is not an audience id/],
    [["9223372036854775808"], /argument 1 is not an audience id/],
    [["12", "012"], /argument 2 is not an audience id/],
    [["--ids-file", "bad.txt"], /bad\.txt line 2: not an audience id/],
    [["--ids-file", "missing.txt"], /missing\.txt: cannot read the ids file \(ENOENT\)/],
    [["--ids"], /unknown option '--ids' \(did you mean --ids-file\?\)/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(" ") || "no ids"}`, () => {
      const read = (f: string): string => {
        if (f === "bad.txt") return "1\n-5\n";
        throw Object.assign(new Error("no such file"), { code: "ENOENT" });
      };
      assert.throws(() => parseAdoptArgs(args, read), (e: Error) => e instanceof UsageError && message.test(e.message));
    });
  }

  it("names the line of a bad id, never the line's text", () => {
    assert.throws(() => audienceIdsFromText("1\nsecret@example.com\n", "ids.txt"), (e: Error) => e.message === "ids.txt line 2: not an audience id (a positive int64, digits only)");
  });
});
