import type Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, Options, ValidateFunction } from "ajv/dist/2020";

import schema from "../../schema/audiences.schema.json";
import type { AudiencesSpec } from "./spec-types.generated";

/** The spec's JSON Schema (`schema/audiences.schema.json`), the source of truth for the format. */
export const SPEC_SCHEMA: object = schema;

/**
 * How the schema is compiled. `verbose` keeps each error's schema so messages can use its
 * `errorMessage` annotation. One home: the generator of the precompiled validator uses it too.
 */
export const SPEC_AJV_OPTIONS: Readonly<Options> = { allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true };

/** An Ajv instance that knows the schema's own annotation (`errorMessage`: the message for a failed pattern, enum or oneOf). */
export function specAjv(extra: Options = {}): Ajv2020 {
  // Loaded only here (development and tests): running processes use the precompiled validator.
  const { default: Ajv } = require("ajv/dist/2020") as typeof import("ajv/dist/2020");
  const ajv = new Ajv({ ...SPEC_AJV_OPTIONS, ...extra });
  ajv.addVocabulary(["errorMessage"]);
  return ajv;
}

let compiled: ValidateFunction<AudiencesSpec> | undefined;

/**
 * The validator, precompiled from the schema at development time (spec-validator.generated.ts,
 * written by schema/generate-types.ts and checked against the schema by a unit test): compiling
 * the schema at run time cost ~80 ms of CPU in every program and CLI start.
 */
function specValidator(): ValidateFunction<AudiencesSpec> {
  compiled ??= require("./spec-validator.generated") as ValidateFunction<AudiencesSpec>;
  return compiled;
}

/** Validates plain spec data against the schema; returns every error (empty when valid). */
export function validateAgainstSpecSchema(data: unknown): ErrorObject[] {
  const validate = specValidator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

/** True when `data` matches the schema, narrowing it to the generated spec type. */
export function matchesSpecSchema(data: unknown): data is AudiencesSpec {
  return validateAgainstSpecSchema(data).length === 0;
}
