import { strict as assert } from "node:assert";
import { isPackageMissing, loadOptional, MissingPackageError, requireOptional } from "../../../provider/util/optional-package";

/** A package nobody installs (a variable, so that the compiler does not look for it). */
const ABSENT: string = "dsp-audiences-no-such-package";

/** What Node throws for `require(name)` when nothing by that name is installed. */
function notFound(name: string, code = "MODULE_NOT_FOUND"): Error {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /x/index.js`), { code });
}

describe("util/optional-package: optional peer dependencies", () => {
  it("names the package, the feature that needs it and the command that installs it", async () => {
    const importer = (): Promise<unknown> => import(ABSENT);
    await assert.rejects(loadOptional(ABSENT, "SQL source warehouse", importer), (error: unknown) => {
      assert.ok(error instanceof MissingPackageError);
      assert.equal(error.message, "SQL source warehouse needs the optional package dsp-audiences-no-such-package: run `npm install dsp-audiences-no-such-package`");
      assert.equal(error.packageName, ABSENT);
      assert.equal(error.neededFor, "SQL source warehouse");
      return true;
    });
    assert.throws(() => requireOptional(ABSENT, "an s3:// source", () => require(ABSENT) as unknown), {
      name: "MissingPackageError",
      message: "an s3:// source needs the optional package dsp-audiences-no-such-package: run `npm install dsp-audiences-no-such-package`",
    });
  });

  it("returns the module when it is installed", async () => {
    const yaml = await loadOptional("yaml", "x", () => import("yaml"));
    assert.equal(typeof yaml.parse, "function");
    assert.equal(requireOptional("yaml", "x", () => require("yaml") as typeof yaml).parse, yaml.parse);
  });

  it("keeps any other failure as it is: a package installed but broken is not a missing one", async () => {
    const inner = notFound("@smithy/some-part");
    await assert.rejects(loadOptional("@aws-sdk/client-s3", "x", () => Promise.reject(inner)), (error: unknown) => error === inner);
    const crash = new TypeError("boom");
    assert.throws(
      () =>
        requireOptional("pg", "x", () => {
          throw crash;
        }),
      (error: unknown) => error === crash,
    );
  });

  const cases: Array<{ error: unknown; name: string; missing: boolean; why: string }> = [
    { error: notFound("pg"), name: "pg", missing: true, why: "CommonJS require" },
    { error: Object.assign(new Error("Cannot find package '@duckdb/node-api' imported from /x/a.mjs"), { code: "ERR_MODULE_NOT_FOUND" }), name: "@duckdb/node-api", missing: true, why: "ESM import" },
    { error: notFound("pg-types"), name: "pg", missing: false, why: "a dependency of the package, whose name starts the same" },
    { error: notFound("@aws-sdk/client-s3/dist-cjs/index.js"), name: "@aws-sdk/client-s3", missing: false, why: "a file missing inside an installed package" },
    { error: new Error("Cannot find module 'pg'"), name: "pg", missing: false, why: "no error code" },
    { error: "Cannot find module 'pg'", name: "pg", missing: false, why: "not an Error" },
  ];
  for (const c of cases) {
    it(`isPackageMissing is ${c.missing} for ${c.why}`, () => assert.equal(isPackageMissing(c.error, c.name), c.missing));
  }
});
