import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from "yaml";

import type { SpecIssue } from "./spec-issue";
import type { PathSegment } from "./spec-path";

/** A 1-based line and column in the spec file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** What a path walk found: the node (if any), and the map entry that holds it. */
interface Found {
  node: Node | undefined;
  pair: Pair | undefined;
  /** False when the walk stopped early because the path does not exist in the document. */
  complete: boolean;
}

/**
 * Maps paths in the parsed spec to YAML nodes and their positions. Follows aliases. Where a map
 * repeats a key, the last entry wins, as in the plain data.
 */
export class SourceLocator {
  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Line and column of a character offset in the source text. */
  positionAt(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /**
   * Where an issue about `path` should point. `key` points at the map key naming the node.
   * `node` points at the node itself, except that a block map or list, or an empty value, points
   * at its key: that is the line a reader looks for. A path that does not exist points at its
   * deepest existing ancestor.
   */
  position(path: readonly PathSegment[], anchor: SpecIssue["anchor"]): SourcePosition {
    const { node, pair, complete } = this.find(path);
    const key = pair?.key as Node | null | undefined;
    if (complete && anchor === "key" && key?.range) return this.positionAt(key.range[0]);
    if (node?.range && !(key?.range && (isBlockCollection(node) || isEmptyScalar(node)))) {
      return this.positionAt(node.range[0]);
    }
    if (key?.range) return this.positionAt(key.range[0]);
    return { line: 1, column: 1 };
  }

  /** The 1-based line of each item of the list at `path` (empty if there is no list there). */
  itemLines(path: readonly PathSegment[]): number[] {
    const { node } = this.find(path);
    if (!isSeq(node)) return [];
    return node.items.map((item) => {
      const range = (item as Node | null)?.range;
      return range ? this.positionAt(range[0]).line : this.position(path, "node").line;
    });
  }

  /** The keys of the map at `path` in document order, each once. Plain-object key order would put "2024" first. */
  keysInOrder(path: readonly PathSegment[]): string[] {
    const { node } = this.find(path);
    if (!isMap(node)) return [];
    const keys = node.items.map((pair) => this.keyText(pair.key)).filter((key): key is string => key !== undefined);
    return [...new Set(keys)];
  }

  /**
   * The exact decimal digits of a YAML integer at `path`. Plain data holds integers as numbers,
   * which lose digits above 2^53; the node keeps the exact bigint.
   */
  integerText(path: readonly PathSegment[]): string | undefined {
    const { node } = this.find(path);
    return isScalar(node) && typeof node.value === "bigint" ? node.value.toString() : undefined;
  }

  private find(path: readonly PathSegment[]): Found {
    let node = this.resolve(this.document.contents);
    let pair: Pair | undefined;
    for (const segment of path) {
      if (isMap(node) && typeof segment === "string") {
        const entry = this.lastEntry(node.items, segment);
        if (entry === undefined) return { node, pair, complete: false };
        pair = entry;
        node = this.resolve(entry.value);
      } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
        pair = undefined;
        node = this.resolve(node.items[segment]);
      } else {
        return { node, pair, complete: false };
      }
    }
    return { node, pair, complete: true };
  }

  private lastEntry(entries: readonly Pair[], key: string): Pair | undefined {
    let found: Pair | undefined;
    for (const entry of entries) if (this.keyText(entry.key) === key) found = entry;
    return found;
  }

  private resolve(value: unknown): Node | undefined {
    if (isAlias(value)) return this.resolve(value.resolve(this.document));
    return isScalar(value) || isCollection(value) ? value : undefined;
  }

  private keyText(key: unknown): string | undefined {
    const node = this.resolve(key);
    if (!isScalar(node)) return undefined;
    return node.value === null ? "" : String(node.value);
  }
}

function isBlockCollection(node: Node): boolean {
  return isCollection(node) && node.flow !== true;
}

/** `key:` with nothing after it parses as an empty null scalar. */
function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}
