import type { ErrorObject } from "ajv";

import type { SourceLocator } from "./source-locator";
import type { SpecIssue } from "./spec-issue";
import { isMapping, pointerToPath, type PathSegment } from "./spec-path";

/**
 * Turns ajv errors into spec issues that read well in YAML terms: one issue per real problem,
 * pointing at the offending node, with the schema's `errorMessage` where it has one.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown, locator: SourceLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const error of withoutConsequentialErrors(errors)) {
    const issue = describeSchemaError(error, data, locator);
    const identity = JSON.stringify([issue.path, issue.message]);
    if (!seen.has(identity)) {
      seen.add(identity);
      issues.push(issue);
    }
  }
  return issues;
}

/**
 * Drops errors that only restate another: `if` failures (their `then` errors say why),
 * `propertyNames` wrappers, branch errors of a `oneOf`/`anyOf` that has its own message, and
 * anything else at a node whose type is already wrong.
 */
function withoutConsequentialErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const summarisedBranches = errors
    .filter((error) => (error.keyword === "oneOf" || error.keyword === "anyOf") && customMessage(error) !== undefined)
    .map((error) => `${error.schemaPath}/`);
  const typeErrorAt = new Map<string, ErrorObject>();
  for (const error of errors) {
    if (error.keyword === "type" && !typeErrorAt.has(error.instancePath)) typeErrorAt.set(error.instancePath, error);
  }
  return errors.filter((error) => {
    if (error.keyword === "if" || (error.keyword === "propertyNames" && error.propertyName === undefined)) return false;
    if (summarisedBranches.some((prefix) => error.schemaPath.startsWith(prefix))) return false;
    const typeError = typeErrorAt.get(error.instancePath);
    return typeError === undefined || typeError === error || error.propertyName !== undefined;
  });
}

function describeSchemaError(error: ErrorObject, data: unknown, locator: SourceLocator): SpecIssue {
  const path = pointerToPath(error.instancePath, data);
  const value = valueAt(data, path);
  const params = error.params as Record<string, unknown>;
  const custom = customMessage(error);
  if (error.propertyName !== undefined) {
    return { path: [...path, error.propertyName], anchor: "key", message: custom ?? `key ${error.message ?? "is invalid"}` };
  }
  switch (error.keyword) {
    case "type":
      return { path, anchor: "node", message: typeMessage(String(params.type).split(","), value, path, locator) };
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      return { path: [...path, key], anchor: "key", message: unknownKeyMessage(key, error.parentSchema) };
    }
    case "uniqueItems": {
      const [first, repeat] = [Number(params.i), Number(params.j)].sort((a, b) => a - b) as [number, number];
      const firstLine = locator.position([...path, first], "node").line;
      return { path: [...path, repeat], anchor: "node", message: `duplicate of item [${first}] on line ${firstLine}` };
    }
    default:
      return { path, anchor: "node", message: keywordMessage(error, custom, value, path, locator) };
  }
}

function keywordMessage(error: ErrorObject, custom: string | undefined, value: unknown, path: PathSegment[], locator: SourceLocator): string {
  const params = error.params as Record<string, unknown>;
  const limit = Number(params.limit);
  switch (error.keyword) {
    case "required":
      return custom ?? `missing required key "${String(params.missingProperty)}"`;
    case "enum":
      return `${custom ?? `must be one of ${(params.allowedValues as unknown[]).map(String).join(", ")}`}, got ${describeValue(value, path, locator)}`;
    case "const":
      return `${custom ?? `must be ${JSON.stringify(params.allowedValue)}`}, got ${describeValue(value, path, locator)}`;
    case "minLength":
      return custom ?? `must be at least ${limit} characters, got ${characterCount(value)}`;
    case "maxLength":
      return custom ?? `must be at most ${limit} characters, got ${characterCount(value)}`;
    case "minimum":
      return custom ?? `must be at least ${limit}, got ${describeValue(value, path, locator)}`;
    case "maximum":
      return custom ?? `must be at most ${limit}, got ${describeValue(value, path, locator)}`;
    case "minItems":
      return custom ?? `must have at least ${limit} ${limit === 1 ? "item" : "items"}`;
    case "maxItems":
      return custom ?? `must have at most ${limit} ${limit === 1 ? "item" : "items"}`;
    case "pattern":
      return custom ?? `must match ${String(params.pattern)}`;
    case "not":
    case "false schema":
      return custom ?? "is not allowed here";
    default:
      return custom ?? error.message ?? `fails ${error.keyword}`;
  }
}

/** The schema's `errorMessage` annotation, which replaces ajv's wording for everything but type and unknown-key errors. */
function customMessage(error: ErrorObject): string | undefined {
  if (error.keyword === "type" || error.keyword === "additionalProperties") return undefined;
  const parent: unknown = error.parentSchema;
  return isMapping(parent) && typeof parent.errorMessage === "string" ? parent.errorMessage : undefined;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  array: "a list",
  object: "a mapping",
  null: "empty",
};

function typeMessage(expected: string[], value: unknown, path: PathSegment[], locator: SourceLocator): string {
  const actual = describeType(value);
  // A YAML integer too big for a number: say it is out of range, not that it has the wrong type.
  if (typeof value === "number" && !Number.isFinite(value) && expected.includes("integer")) {
    return `is too large, got ${locator.integerText(path) ?? String(value)}`;
  }
  const wanted = expected.map((type) => TYPE_NAMES[type] ?? type).join(" or ");
  const quoteHint = expected.includes("string") && (typeof value === "number" || typeof value === "boolean") ? "; put it in quotes" : "";
  return `must be ${wanted}, got ${actual}${quoteHint}`;
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "object") return "a mapping";
  return TYPE_NAMES[typeof value] ?? typeof value;
}

/** A short rendering of a scalar for messages: strings quoted and cut at 40 characters, integers exact. */
function describeValue(value: unknown, path: PathSegment[], locator: SourceLocator): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number") return locator.integerText(path) ?? String(value);
  if (typeof value === "boolean") return String(value);
  return describeType(value);
}

/** Length in code points, as JSON Schema counts it. */
function characterCount(value: unknown): number {
  return typeof value === "string" ? [...value].length : 0;
}

function unknownKeyMessage(key: string, parentSchema: unknown): string {
  const properties = isMapping(parentSchema) && isMapping(parentSchema.properties) ? Object.keys(parentSchema.properties) : [];
  const suggestion = closestKey(key, properties);
  if (suggestion !== undefined) return `unknown key "${key}" (did you mean "${suggestion}"?)`;
  return properties.length > 0 ? `unknown key "${key}"; expected one of: ${properties.join(", ")}` : `unknown key "${key}"`;
}

/** The allowed key nearest to `key` (ignoring case), if it is within two edits and no other key is as near. */
function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const distances = candidates.map((candidate) => editDistance(key.toLowerCase(), candidate.toLowerCase()));
  const nearest = Math.min(...distances);
  const nearestKeys = candidates.filter((_, index) => distances[index] === nearest);
  return nearest <= 2 && nearestKeys.length === 1 ? nearestKeys[0] : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof segment === "number") current = Array.isArray(current) ? current[segment] : undefined;
    else current = isMapping(current) ? current[segment] : undefined;
  }
  return current;
}
