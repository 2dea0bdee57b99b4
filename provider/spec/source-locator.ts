import { isAlias, isCollection, isMap, isScalar, isSeq, visit, type Alias, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from "yaml";

import type { SourcePosition, SpecIssue } from "./spec-issue";

export type { SourcePosition } from "./spec-issue";
import type { PathSegment } from "./spec-path";

/** What a path walk found: the node (if any), and the map entry that holds it. */
interface Found {
  node: Node | undefined;
  pair: Pair | undefined;
  /** False when the walk stopped early because the path does not exist in the document. */
  complete: boolean;
}

/**
 * Counts the locator's work: one step per map entry indexed, per node visited to index aliases
 * and per path segment walked. Tests use it to prove lookups stay linear in the document's size.
 */
export type LocatorStepCounter = (steps: number) => void;

/**
 * Maps paths in the parsed spec to YAML nodes and their positions. Follows aliases. Where a map
 * repeats a key, the last entry wins, as in the plain data.
 *
 * Lookups cost the length of the path: each map is indexed by key the first time a path goes
 * through it, and aliases are resolved from one pass over the document, so a check that looks up
 * every audience stays linear in the number of audiences.
 */
export class SourceLocator {
  /** Each map's entries by key text, built on first use; the last entry of a repeated key wins. */
  private readonly entryIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** What each alias points at; built on the first alias met. */
  private aliasTargets: Map<Alias, Node | undefined> | undefined;

  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
    private readonly countSteps: LocatorStepCounter = () => undefined,
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

  /**
   * How the YAML number at `path` was written: its source text, and whether YAML read it as an
   * integer (a bigint) or as a float. Undefined when the node is not a number (strings included).
   */
  numberSource(path: readonly PathSegment[]): { text: string; integer: boolean } | undefined {
    const { node } = this.find(path);
    if (!isScalar(node) || (typeof node.value !== "number" && typeof node.value !== "bigint")) return undefined;
    return { text: node.source ?? String(node.value), integer: typeof node.value === "bigint" };
  }

  private find(path: readonly PathSegment[]): Found {
    let node = this.resolve(this.document.contents);
    let pair: Pair | undefined;
    this.countSteps(path.length);
    for (const segment of path) {
      if (isMap(node) && typeof segment === "string") {
        const entry = this.entriesOf(node).get(segment);
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

  private entriesOf(map: YAMLMap): Map<string, Pair> {
    let entries = this.entryIndex.get(map);
    if (entries === undefined) {
      entries = new Map();
      for (const entry of map.items) {
        const key = this.keyText(entry.key);
        if (key !== undefined) entries.set(key, entry);
      }
      this.countSteps(map.items.length);
      this.entryIndex.set(map, entries);
    }
    return entries;
  }

  private resolve(value: unknown): Node | undefined {
    // An alias of an alias is refused by the YAML parser, so one step is enough.
    const node = isAlias(value) ? this.aliasTarget(value) : value;
    return isScalar(node) || isCollection(node) ? node : undefined;
  }

  /**
   * The node an alias names: the last node before it (in document order) with that anchor, as
   * the YAML library resolves it. `Alias.resolve` walks the whole document on every call, which
   * made a spec with an alias per audience quadratic; this walks it once.
   */
  private aliasTarget(alias: Alias): Node | undefined {
    if (this.aliasTargets === undefined) {
      const targets = new Map<Alias, Node | undefined>();
      const lastAnchored = new Map<string, Node>();
      let visited = 0;
      visit(this.document, {
        Node: (_key, node) => {
          visited++;
          if (isAlias(node)) targets.set(node, lastAnchored.get(node.source));
          else if (node.anchor !== undefined) lastAnchored.set(node.anchor, node);
        },
      });
      this.countSteps(visited);
      this.aliasTargets = targets;
    }
    return this.aliasTargets.get(alias);
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
