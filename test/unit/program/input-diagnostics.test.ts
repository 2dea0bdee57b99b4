import { strict as assert } from "node:assert";

import { IdFileError } from "../../../provider/plan";
import { PiiInputError } from "../../../provider/pii";
import { describeInputFailures } from "../../../provider/program/input-diagnostics";
import { SpecValidationError } from "../../../provider/spec";

describe("input diagnostics: one clean line per problem", () => {
  const cwd = "/work/project";

  it("lists spec errors as file:line:column: path: message, in file order", () => {
    const error = new SpecValidationError([
      { file: "audiences.yaml", line: 9, column: 3, path: "audiences.b", message: "missing advertiserId; set it here or in defaults" },
      { file: "audiences.yaml", line: 8, column: 10, path: "audiences.a.ttl", message: "must be at most 34300800, got 99999999" },
    ]);
    assert.deepEqual(describeInputFailures([{ context: "", error }], cwd), {
      lines: [
        "audiences.yaml:8:10: audiences.a.ttl: must be at most 34300800, got 99999999",
        "audiences.yaml:9:3: audiences.b: missing advertiserId; set it here or in defaults",
      ],
      problems: 2,
      unexpected: false,
    });
  });

  it("lists ID-file lines with the file relative to the program folder, and counts the ones not listed", () => {
    const error = new IdFileError(
      [
        { file: "/work/project/ids/a.txt", line: 2, reason: "is not a valid COOKIE ID: expected …" },
        { file: "/elsewhere/b.txt", line: 4, column: 2, reason: "not valid UTF-8; save the file as UTF-8" },
      ],
      30,
    );
    assert.deepEqual(describeInputFailures([{ context: "", error }], cwd), {
      lines: ["ids/a.txt:2: is not a valid COOKIE ID: expected …", "/elsewhere/b.txt:4:2: not valid UTF-8; save the file as UTF-8", "… and 28 more invalid ID lines"],
      problems: 30,
      unexpected: false,
    });
  });

  it("lists CSV rows under the records label", () => {
    const error = new PiiInputError("/work/project/customers.csv", [{ row: 3, column: "email", code: "email-no-at", reason: "email has no @" }], false);
    assert.deepEqual(describeInputFailures([{ context: "records crm", error }], cwd).lines, ["records crm: customers.csv: row 3, column email: email has no @"]);
  });

  it("says a file cannot be read, with its code", () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, open '/work/project/gone.txt'"), { code: "ENOENT", path: "/work/project/gone.txt" });
    assert.deepEqual(describeInputFailures([{ context: "", error }], cwd).lines, ["gone.txt: cannot be read (ENOENT)"]);
  });

  it("keeps our own plain input messages, and marks anything else as unexpected with the debug hint and no stack", () => {
    const plain = new Error("config dsp-audiences:externalIdKey (externalIdSecretConfig) is not set");
    const bug = new TypeError("Cannot read properties of undefined (reading 'size')");
    const result = describeInputFailures([{ context: "records crm", error: plain }, { context: "", error: bug }], cwd);
    assert.deepEqual(result, {
      lines: [
        "records crm: config dsp-audiences:externalIdKey (externalIdSecretConfig) is not set",
        "Cannot read properties of undefined (reading 'size')",
        "(unexpected error; set DSP_AUDIENCES_DEBUG=1 to see its stack trace)",
      ],
      problems: 2,
      unexpected: true,
    });
    assert.ok(result.lines.every((line) => !/\n|\s+at /.test(line)));
  });
});
