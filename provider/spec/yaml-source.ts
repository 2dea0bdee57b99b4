import { Composer, CST, Document, isAlias, isCollection, isMap, isScalar, LineCounter, Parser, YAMLParseError, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";

import type { SpecIssue } from "./spec-issue";
import type { PathSegment } from "./spec-path";
import { SourceLocator, type LocatorStepCounter } from "./source-locator";

/**
 * Deepest nesting of maps and lists a spec may have. A valid spec needs fewer than 10 (a consent
 * field); the YAML library and every walk over the document recurse once per level, so a spec
 * nested thousands deep would overflow the stack instead of getting an error.
 */
export const MAX_SPEC_DEPTH = 64;

/** Options of {@link readYamlSource}. */
export interface ReadYamlOptions {
  /** Counts the locator's work (see `LocatorStepCounter`). @default none */
  countSteps?: LocatorStepCounter;
}

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
export function readYamlSource(text: string, options: ReadYamlOptions = {}): YamlSource {
  const lineCounter = new LineCounter();
  const parseOptions: ParseOptions & DocumentOptions & SchemaOptions = {
    // The library's own duplicate check compares each key with every earlier one, which is
    // quadratic in a map's size; findDuplicateKeys does it with a Map and names both lines.
    uniqueKeys: false,
    intAsBigInt: true,
    prettyErrors: false,
    // Complex keys would otherwise print a process warning; the schema reports them as unknown keys.
    logLevel: "error",
  };
  // The parser keeps its own stack, so even absurd nesting parses into tokens; the composer
  // recurses, so the depth is checked between the two.
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const tooDeep = firstTooDeep(tokens);
  if (tooDeep !== undefined) {
    const locator = new SourceLocator(new Document(null), lineCounter, options.countSteps);
    const message = `nesting is deeper than ${MAX_SPEC_DEPTH} levels of maps and lists; a valid spec needs fewer than 10`;
    return { data: undefined, locator, syntaxErrors: [{ offset: tooDeep, message }], duplicateKeys: [] };
  }
  const document = composeOne(tokens, text.length, parseOptions);
  const locator = new SourceLocator(document, lineCounter, options.countSteps);
  const duplicateKeys = findDuplicateKeys(document, locator);
  const syntaxErrors = [...document.errors, ...document.warnings]
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

/** The first document, with an error for each further one (as `parseDocument` does). */
function composeOne(tokens: readonly CST.Token[], length: number, options: ParseOptions & DocumentOptions & SchemaOptions): Document.Parsed {
  let first: Document.Parsed | undefined;
  for (const document of new Composer(options).compose(tokens, true, length)) {
    if (first === undefined) first = document;
    else {
      first.errors.push(new YAMLParseError([document.range[0], document.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; a spec is one document"));
      break;
    }
  }
  // compose(…, true) always yields a document, if only an empty one.
  return first as Document.Parsed;
}

/**
 * Offset of the first collection (in file order) nested deeper than MAX_SPEC_DEPTH in the token
 * stream, or undefined. Walks with its own stack: the point is not to recurse.
 */
function firstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const pending: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  let first: number | undefined;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { token, depth } = next;
    if (token.type === "document") {
      if (token.value !== undefined) pending.push({ token: token.value, depth });
    } else if (CST.isCollection(token)) {
      if (depth >= MAX_SPEC_DEPTH) {
        first = Math.min(first ?? token.offset, token.offset);
        continue;
      }
      for (const item of token.items) {
        if (item.key != null) pending.push({ token: item.key, depth: depth + 1 });
        if (item.value !== undefined) pending.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return first;
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
