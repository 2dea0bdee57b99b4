/**
 * Paths into a spec document. A path is a list of map keys and list indexes; it prints as
 * `audiences.loyal-customers.members.COOKIE[3]`, the form every spec error uses.
 */

/** One step into the document: a map key or a list index. */
export type PathSegment = string | number;

/** A printable key needs no quoting: letters, digits, `_` and `-`. */
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Prints a path: keys joined by `.`, indexes as `[n]`, odd keys quoted as `["a b"]`.
 * The document root is the empty string.
 */
export function formatSpecPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/**
 * Turns a JSON Pointer (as in ajv's `instancePath`) into path segments, using `data` to tell
 * list indexes from map keys that happen to be digits.
 */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === "") return [];
  const path: PathSegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      const index = Number(token);
      path.push(index);
      current = current[index];
    } else {
      path.push(token);
      current = isMapping(current) ? current[token] : undefined;
    }
  }
  return path;
}

/** True for a YAML mapping after conversion to plain data. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
