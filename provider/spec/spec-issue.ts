import type { PathSegment } from "./spec-path";

/** A 1-based line and column in the spec file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * A problem found by a check, before it is given a file position. Checks work on plain data and
 * paths; the source locator turns issues into `SpecError`s.
 */
export interface SpecIssue {
  /** The node the issue is about. */
  path: PathSegment[];
  /** Point at the node's key (unknown or duplicate keys) or at the node itself. */
  anchor: "key" | "node";
  message: string;
  /** Exact position, when the path alone is ambiguous (a key repeated in one map). */
  position?: SourcePosition;
}
