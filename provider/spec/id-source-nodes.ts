/** Where a spec's per-ID-type source maps are: every audience's `members` and `exclude`, and `suppress`. */
import { isMapping, type PathSegment } from "./spec-path";

/** Each source map (ID type -> source) in the raw spec data, with its path; values of the wrong shape are skipped. */
export function idSourceMaps(data: Record<string, unknown>): Array<{ path: PathSegment[]; sources: Record<string, unknown> }> {
  const maps: Array<{ path: PathSegment[]; sources: Record<string, unknown> }> = [];
  const add = (sources: unknown, path: PathSegment[]): void => {
    if (isMapping(sources)) maps.push({ path, sources });
  };
  if (isMapping(data.audiences)) {
    for (const [key, audience] of Object.entries(data.audiences)) {
      if (!isMapping(audience)) continue;
      add(audience.members, ["audiences", key, "members"]);
      add(audience.exclude, ["audiences", key, "exclude"]);
    }
  }
  add(data.suppress, ["suppress"]);
  return maps;
}
