/**
 * Generates `provider/spec/spec-types.generated.ts` from `schema/audiences.schema.json`, so the
 * JSON Schema stays the single source of truth for the spec format.
 *
 * Run: `npx ts-node --transpile-only schema/generate-types.ts`
 *
 * Only the JSON Schema subset the spec schema uses is supported; anything else throws, so a new
 * schema feature cannot silently produce a wrong type. Validation-only keywords (lengths, ranges,
 * patterns, `not`, `allOf` refinements) narrow values without changing their TypeScript shape and
 * are ignored.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import standaloneCode from "ajv/dist/standalone";
import { specAjv } from "../provider/spec/spec-schema";

/** The parts of a JSON Schema node this generator reads. */
export interface SchemaNode {
  $ref?: string;
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  $defs?: Record<string, SchemaNode>;
}

export const SCHEMA_PATH = join(__dirname, "audiences.schema.json");
export const GENERATED_TYPES_PATH = join(__dirname, "..", "provider", "spec", "spec-types.generated.ts");
export const GENERATED_VALIDATOR_PATH = join(__dirname, "..", "provider", "spec", "spec-validator.generated.ts");

const HEADER = [
  "// DO NOT EDIT: generated from schema/audiences.schema.json by schema/generate-types.ts.",
  "// Regenerate with: npx ts-node --transpile-only schema/generate-types.ts",
  "//",
  "// These types describe a spec document that passed schema validation. YAML integers arrive as",
  "// numbers, approximate above 2^53; int64 fields (`string | number`) take their exact digits from",
  "// the YAML node (SourceLocator.integerText), which is what LoadedSpec carries.",
];

/** Keywords that only restrict values and do not change the TypeScript type. */
const VALIDATION_ONLY_KEYWORDS = new Set([
  "$schema", "$id", "title", "description", "default", "examples", "errorMessage",
  "pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
  "uniqueItems", "propertyNames", "allOf", "not",
]);
const SHAPE_KEYWORDS = new Set([
  "$ref", "$defs", "const", "enum", "type", "properties", "required", "additionalProperties",
  "items", "oneOf", "if", "then", "else",
]);

/** Renders the whole generated file for a schema. Pure: same schema, same text. */
export function renderSpecTypes(schema: SchemaNode): string {
  const rootName = schema.title;
  if (rootName === undefined) throw new Error("schema needs a title: it names the root type");
  const renderer = new TypeRenderer(schema.$defs ?? {});
  const blocks = [renderer.renderNamedType(rootName, schema, "#")];
  for (const [name, definition] of Object.entries(schema.$defs ?? {})) {
    blocks.push(renderer.renderNamedType(name, definition, `#/$defs/${name}`));
  }
  return `${HEADER.join("\n")}\n\n${blocks.join("\n\n")}\n`;
}

/** Turns schema nodes into TypeScript type text; `where` is the schema path, for error messages. */
class TypeRenderer {
  constructor(private readonly definitions: Record<string, SchemaNode>) {}

  renderNamedType(name: string, node: SchemaNode, where: string): string {
    const doc = renderDoc(node.description, node.default, "");
    // An object with fixed properties and no variants becomes an `interface`.
    if (node.type === "object" && node.properties !== undefined && node.oneOf === undefined) {
      return `${doc}export interface ${name} ${this.renderObjectBody(node, "", where)}`;
    }
    if (node.enum !== undefined && node.enum.length > 8) {
      // Long literal unions read better one member per line.
      const members = node.enum.map((value) => `\n  | ${JSON.stringify(value)}`).join("");
      return `${doc}export type ${name} =${members};`;
    }
    return `${doc}export type ${name} = ${this.renderType(node, "", where)};`;
  }

  private renderType(node: SchemaNode, indent: string, where: string): string {
    assertSupported(node, where);
    if (node.$ref !== undefined) return refName(node.$ref, where);
    if (node.const !== undefined) return JSON.stringify(node.const);
    if (node.enum !== undefined) return node.enum.map((value) => JSON.stringify(value)).join(" | ");
    // `if/then/else` picks one of two shapes; the value has one or the other.
    if (node.if !== undefined) {
      if (node.then === undefined || node.else === undefined) throw new Error(`${where}: if needs both then and else`);
      return [this.renderType(node.then, indent, `${where}/then`), this.renderType(node.else, indent, `${where}/else`)].join(" | ");
    }
    const types = typeof node.type === "string" ? [node.type] : node.type;
    if (types === undefined) throw new Error(`${where}: cannot derive a type without type, $ref, const, enum or if`);
    return types.map((type) => this.renderSingleType(type, node, indent, where)).join(" | ");
  }

  private renderSingleType(type: string, node: SchemaNode, indent: string, where: string): string {
    switch (type) {
      case "string":
      case "boolean":
      case "null":
        return type;
      case "integer":
      case "number":
        return "number";
      case "array": {
        if (node.items === undefined) throw new Error(`${where}: array needs items`);
        const item = this.renderType(node.items, indent, `${where}/items`);
        return item.includes(" ") ? `Array<${item}>` : `${item}[]`;
      }
      case "object":
        return this.renderObject(node, indent, where);
      default:
        throw new Error(`${where}: unsupported type ${type}`);
    }
  }

  private renderObject(node: SchemaNode, indent: string, where: string): string {
    if (node.properties === undefined) {
      if (typeof node.additionalProperties !== "object") {
        throw new Error(`${where}: object needs properties or an additionalProperties schema`);
      }
      return `Record<string, ${this.renderType(node.additionalProperties, indent, `${where}/additionalProperties`)}>`;
    }
    if (typeof node.additionalProperties === "object") {
      throw new Error(`${where}: properties with an additionalProperties schema is unsupported`);
    }
    if (node.oneOf === undefined) return this.renderObjectBody(node, indent, where);
    return this.renderRequiredVariants(node, node.properties, node.oneOf, indent, where);
  }

  /**
   * `oneOf: [{required: [a]}, {required: [b]}]` means "exactly one of a, b": each variant requires
   * its own keys and leaves out the keys other variants require.
   */
  private renderRequiredVariants(
    node: SchemaNode,
    properties: Record<string, SchemaNode>,
    variants: SchemaNode[],
    indent: string,
    where: string,
  ): string {
    const requiredPerVariant = variants.map((variant, index) => {
      if (Object.keys(variant).length !== 1 || variant.required === undefined) {
        throw new Error(`${where}/oneOf/${index}: only {required: [...]} variants are supported`);
      }
      return variant.required;
    });
    return requiredPerVariant
      .map((required) => {
        const requiredElsewhere = new Set(requiredPerVariant.filter((other) => other !== required).flat());
        const kept = Object.fromEntries(
          Object.entries(properties).filter(([key]) => required.includes(key) || !requiredElsewhere.has(key)),
        );
        const variant = { ...node, properties: kept, required: [...(node.required ?? []), ...required] };
        return this.renderObjectBody(variant, indent, where);
      })
      .join(" | ");
  }

  private renderObjectBody(node: SchemaNode, indent: string, where: string): string {
    const inner = `${indent}  `;
    const required = new Set(node.required ?? []);
    const lines = Object.entries(node.properties ?? {}).map(([key, property]) => {
      // A property that only `$ref`s a definition borrows that definition's description.
      const documented = property.description !== undefined ? property : this.referencedDefinition(property);
      const doc = renderDoc(documented.description, property.default ?? documented.default, inner);
      const optional = required.has(key) ? "" : "?";
      const type = this.renderType(property, inner, `${where}/properties/${key}`);
      return `${doc}${inner}${propertyName(key)}${optional}: ${type};`;
    });
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  private referencedDefinition(property: SchemaNode): SchemaNode {
    if (property.$ref === undefined) return property;
    return this.definitions[refName(property.$ref, "property")] ?? property;
  }
}

function refName(ref: string, where: string): string {
  const match = /^#\/\$defs\/([A-Za-z][A-Za-z0-9]*)$/.exec(ref);
  if (match?.[1] === undefined) throw new Error(`${where}: only local #/$defs/ references are supported, got ${ref}`);
  return match[1];
}

function propertyName(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function renderDoc(description: string | undefined, defaultValue: unknown, indent: string): string {
  if (description === undefined) return "";
  const lines = wrap(description.replace(/\*\//g, "*\u2215"), 96 - indent.length);
  if (defaultValue !== undefined) lines.push(`@default ${JSON.stringify(defaultValue)}`);
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`).join("\n")}\n${indent} */\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function assertSupported(node: SchemaNode, where: string): void {
  for (const key of Object.keys(node)) {
    if (!VALIDATION_ONLY_KEYWORDS.has(key) && !SHAPE_KEYWORDS.has(key)) {
      throw new Error(`${where}: keyword ${key} is not supported by generate-types.ts`);
    }
  }
}

/**
 * The schema compiled by Ajv into a standalone CommonJS module (same options as at run time), so
 * that no process compiles the schema when it starts. Plain JavaScript inside a .ts file that
 * the type checker skips (`@ts-nocheck`) and the linter ignores (eslint.config.mjs), so the build copies it to dist/ like every other module.
 */
export function renderSpecValidator(schemaPath: string = SCHEMA_PATH): string {
  const ajv = specAjv({ code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")) as object));
  return [
    "// @ts-nocheck",
    "// DO NOT EDIT: generated from schema/audiences.schema.json by schema/generate-types.ts.",
    "// Regenerate with: npx ts-node --transpile-only schema/generate-types.ts",
    code,
    "",
  ].join("\n");
}

/** Reads the schema file and renders the generated file's expected text. */
export function renderSpecTypesFromFile(schemaPath: string = SCHEMA_PATH): string {
  return renderSpecTypes(JSON.parse(readFileSync(schemaPath, "utf8")) as SchemaNode);
}

if (require.main === module) {
  writeFileSync(GENERATED_TYPES_PATH, renderSpecTypesFromFile());
  process.stdout.write(`wrote ${GENERATED_TYPES_PATH}\n`);
  writeFileSync(GENERATED_VALIDATOR_PATH, renderSpecValidator());
  process.stdout.write(`wrote ${GENERATED_VALIDATOR_PATH}\n`);
}
