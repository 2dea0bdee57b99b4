import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";

import { GENERATED_TYPES_PATH, GENERATED_VALIDATOR_PATH, renderSpecTypesFromFile, renderSpecValidator } from "../../../schema/generate-types";

describe("provider/spec/spec-types.generated.ts", () => {
  it("matches what schema/generate-types.ts renders from the schema (regenerate if this fails)", () => {
    assert.equal(
      readFileSync(GENERATED_TYPES_PATH, "utf8"),
      renderSpecTypesFromFile(),
      "stale: run `npx ts-node --transpile-only schema/generate-types.ts` and commit the result",
    );
  });
});

describe("provider/spec/spec-validator.generated.ts", () => {
  it("matches what Ajv compiles from the schema now (regenerate if this fails)", () => {
    assert.equal(
      readFileSync(GENERATED_VALIDATOR_PATH, "utf8"),
      renderSpecValidator(),
      "stale: run `npx ts-node --transpile-only schema/generate-types.ts` and commit the result",
    );
  });
});
