import { isAlias, isCollection, isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";

import type { SpecIssue } from "./spec-issue";
import type { PathSegment } from "./spec-path";
import { SourceLocator } from "./source-locator";

/** A YAML error that has an offset but no path: syntax errors and YAML warnings. */
export interface YamlSyntaxError {
  offset: number;
  message: string;
}

/** A parsed spec file: plain data for validation, plus what is needed to point at its nodes. */
export interface YamlSource {
  /** The document as plain data; integers are numbers (see `SourceLocator.integerText` for exact digits). Undefined when the YAML is too broken to read. */
  data: unknown;
  locator: SourceLocator;
  syntaxErrors: YamlSyntaxError[];
  duplicateKeys: SpecIssue[];
}

/**
 * Parses spec text. Integers are read as bigints so no digit is lost, then become numbers in the
 * plain data (exact up to 2^53). Duplicate keys are reported with both lines; any other YAML
 * error or warning is a syntax error, and leaves `data` undefined.
 */
export function readYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    intAsBigInt: true,
    prettyErrors: false,
    // Complex keys would otherwise print a process warning; the schema reports them as unknown keys.
    logLevel: "error",
  });
  const locator = new SourceLocator(document, lineCounter);
  const duplicateKeys = findDuplicateKeys(document, locator);
  const syntaxErrors = [...document.errors, ...document.warnings]
    .filter((error) => error.code !== "DUPLICATE_KEY")
    .map((error) => ({ offset: error.pos[0], message: error.message }));
  if (syntaxErrors.length > 0) return { data: undefined, locator, syntaxErrors, duplicateKeys };
  try {
    return { data: toPlainNumbers(document.toJS()), locator, syntaxErrors, duplicateKeys };
  } catch (error) {
    // toJS refuses alias bombs ("Excessive alias count"); that is a spec problem to report.
    if (!(error instanceof Error)) throw error;
    return { data: undefined, locator, syntaxErrors: [{ offset: 0, message: error.message }], duplicateKeys };
  }
}

/** Replaces bigints by numbers: validation needs numbers; exact digits stay in the document. */
function toPlainNumbers(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(toPlainNumbers);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPlainNumbers(item)]));
  }
  return value;
}

/** Every repeated key in every map, pointing at the repeat and naming the first one's line. */
function findDuplicateKeys(document: Document, locator: SourceLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (isAlias(node) || !isCollection(node)) return;
    if (!isMap(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
      return;
    }
    const firstLines = new Map<string, number>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined) {
        const position = locator.positionAt(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0);
        const firstLine = firstLines.get(key);
        if (firstLine === undefined) firstLines.set(key, position.line);
        else issues.push({ path: [...path, key], anchor: "key", position, message: `duplicate key "${key}"; first defined on line ${firstLine}` });
      }
      visit(pair.value, key === undefined ? path : [...path, key]);
    }
  };
  visit(document.contents, []);
  return issues;
}
