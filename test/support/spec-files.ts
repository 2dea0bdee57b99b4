/**
 * One spec builder for the tests that run the real program: a typed spec (the schema's own
 * generated types, so a test cannot write a spec the schema does not know) written as YAML, with
 * the ID files and CSVs it names.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { SpecDocument } from "../../provider/spec";

export type Spec = SpecDocument.AudiencesSpec;

/** File name → content; an array is written one entry per line (ID files). */
export type SideFiles = Readonly<Record<string, string | readonly string[]>>;

/** `audiences.yaml` and the files it names, as file name → text (for a commit, or to write). */
export function specFiles(spec: Spec, files: SideFiles = {}): Record<string, string> {
  const out: Record<string, string> = { "audiences.yaml": stringify(spec, { lineWidth: 0 }) };
  for (const [name, content] of Object.entries(files)) out[name] = typeof content === "string" ? content : content.join("\n") + "\n";
  return out;
}

/** Writes the spec and its files into `dir`; returns the spec's path. */
export function writeSpecFiles(dir: string, spec: Spec, files: SideFiles = {}): string {
  for (const [name, text] of Object.entries(specFiles(spec, files))) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return path.join(dir, "audiences.yaml");
}

/**
 * The spec most end-to-end tests of one large membership use: one audience `key` whose COOKIE
 * members are the ID file `cookies.txt` with these lines. Writes both into `dir`; returns the spec's path.
 */
export function writeCookieAudience(dir: string, key: string, name: string, lines: readonly string[]): string {
  return writeSpecFiles(
    dir,
    { version: 1, defaults: { advertiserId: "42", dataSourceCountry: ["US"] }, audiences: { [key]: { name, members: { COOKIE: { file: "cookies.txt" } } } } },
    { "cookies.txt": lines },
  );
}
