/**
 * Which `s3://` objects a spec may read: only those under an `s3://bucket/prefix` entry of
 * `settings.allowedRoots`, reached with the same URL options (endpoint, region, path style,
 * profile), since the credentials that read them are the stack's. Pure: checked on the spec's
 * text by `validate` and again by the reader before any request is made.
 */
import { isObjectUrl } from "./file-references";
import { ID_TYPES } from "./loaded-spec";
import type { SpecIssue } from "./spec-issue";
import { idSourceMaps } from "./id-source-nodes";
import { isMapping, type PathSegment } from "./spec-path";

/** An `s3://` URL taken apart. */
export interface ObjectLocation {
  bucket: string;
  /** The key (or key prefix of a root), decoded, without a leading `/`. */
  key: string;
  /** The URL's query parameters, sorted: how the bucket is reached. */
  options: string;
}

/** Parses an `s3://bucket/key?…` URL; a string naming why it cannot be used when it is not one. */
export function parseObjectUrl(url: string): ObjectLocation | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid s3:// URL";
  }
  if (parsed.protocol !== "s3:" || parsed.hostname === "") return "must be s3://<bucket>/<key>";
  let key: string;
  try {
    key = decodeURIComponent(parsed.pathname).replace(/^\//, "");
  } catch {
    return "has an invalid %-escape in its key";
  }
  // Keys are literal, but some servers and proxies resolve dot segments: a prefix check must not be walked out of.
  if (key.split("/").some((segment, i, all) => segment === "." || segment === ".." || (segment === "" && i < all.length - 1))) {
    return "has an empty, . or .. segment in its key";
  }
  const options = [...parsed.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join("&");
  return { bucket: parsed.hostname, key, options };
}

/** True when `object` is `root` itself or inside its prefix, in the same bucket; `root`'s options are ignored. Pure. */
export function isUnderPrefix(object: ObjectLocation, root: Pick<ObjectLocation, "bucket" | "key">): boolean {
  if (object.bucket !== root.bucket) return false;
  const prefix = root.key.replace(/\/+$/, "");
  return prefix === "" || object.key === prefix || object.key.startsWith(`${prefix}/`);
}

/**
 * Why the object at `url` may not be read with `roots` (the `s3://` entries of
 * `settings.allowedRoots`, as written); undefined when it may.
 */
export function objectRefusal(url: string, roots: readonly string[]): string | undefined {
  const object = parseObjectUrl(url);
  if (typeof object === "string") return object;
  const parsedRoots = roots.map(parseObjectUrl).filter((root): root is ObjectLocation => typeof root !== "string");
  const under = parsedRoots.filter((root) => isUnderPrefix(object, root));
  if (under.some((root) => root.options === object.options)) return undefined;
  if (under.length > 0) return `is under an s3:// entry of settings.allowedRoots but reached with other URL options (${object.options || "none"}); write them as its root does`;
  const listed = roots.length === 0 ? "none" : roots.join(", ");
  return `is outside the s3:// entries of settings.allowedRoots (${listed}); add its bucket and prefix there to allow it`;
}

/** The `s3://` entries of `settings.allowedRoots` in raw spec data, as written. */
export function objectRootsOf(data: Record<string, unknown>): string[] {
  const settings = isMapping(data.settings) ? data.settings : undefined;
  const listed = settings?.allowedRoots;
  return Array.isArray(listed) ? listed.filter((root): root is string => typeof root === "string" && isObjectUrl(root)) : [];
}

/** One issue per malformed `s3://` root, and per `csv:`/`parquet:` object outside every root. */
export function checkObjectSources(data: Record<string, unknown>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const settings = isMapping(data.settings) ? data.settings : undefined;
  if (Array.isArray(settings?.allowedRoots)) {
    settings.allowedRoots.forEach((root: unknown, index) => {
      if (typeof root !== "string" || !isObjectUrl(root)) return;
      const parsed = parseObjectUrl(root);
      if (typeof parsed === "string") issues.push({ path: ["settings", "allowedRoots", index], anchor: "node", message: `${parsed}: ${root}` });
    });
  }
  const roots = objectRootsOf(data);
  for (const { path, sources } of idSourceMaps(data)) {
    for (const type of ID_TYPES) {
      const source = sources[type];
      if (!isMapping(source)) continue;
      for (const kind of ["csv", "parquet"] as const) {
        const entry = source[kind];
        if (!isMapping(entry) || typeof entry.file !== "string" || !isObjectUrl(entry.file)) continue;
        const refusal = objectRefusal(entry.file, roots);
        const at: PathSegment[] = [...path, type, kind, "file"];
        if (refusal !== undefined) issues.push({ path: at, anchor: "node", message: `object ${entry.file} ${refusal}` });
      }
    }
  }
  return issues;
}
