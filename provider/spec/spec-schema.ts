import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";

import schema from "../../schema/audiences.schema.json";
import type { AudiencesSpec } from "./spec-types.generated";

/** The spec's JSON Schema (`schema/audiences.schema.json`), the source of truth for the format. */
export const SPEC_SCHEMA: object = schema;

let compiled: ValidateFunction<AudiencesSpec> | undefined;

/**
 * The compiled schema validator, built on first use (compiling takes tens of milliseconds).
 * `verbose` keeps each error's schema so messages can use its `errorMessage` annotation.
 */
function specValidator(): ValidateFunction<AudiencesSpec> {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
    // `errorMessage` is our annotation: the message for a failed pattern, enum or oneOf.
    ajv.addVocabulary(["errorMessage"]);
    compiled = ajv.compile<AudiencesSpec>(SPEC_SCHEMA);
  }
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
