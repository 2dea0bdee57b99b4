import { formatSpecError, parseSpec, SpecValidationError } from "../../provider/spec";

/** Joins spec lines; line N of the text is element N-1, so expected positions are easy to read. */
export function specText(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/** The formatted errors `parseSpec` throws for `text`, or [] when it parses. Also checks the thrown message lists exactly those lines. */
export function parseErrors(text: string, fileName = "spec.yaml"): string[] {
  try {
    parseSpec(text, fileName);
    return [];
  } catch (error) {
    if (!(error instanceof SpecValidationError)) throw error;
    const lines = error.errors.map(formatSpecError);
    if (error.message !== lines.join("\n")) throw new Error(`message does not list the errors:\n${error.message}`);
    return lines;
  }
}

/** The lines every row starts from: a valid spec with one audience. */
export const VALID_HEAD = [
  "version: 1", //                          1
  "defaults:", //                           2
  '  advertiserId: "5840142710901"', //     3
  "  dataSourceCountry: [US]", //           4
  "audiences:", //                          5
  "  loyal-customers:", //                  6
  "    name: Loyal customers 2026", //      7
] as const;
