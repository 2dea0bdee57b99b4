/**
 * Spec entries for audiences that already exist in Amazon DSP: what `dsp-audiences adopt` prints
 * or writes. Pure: audience metadata in, YAML out. Every value is Amazon's, so the next `up`
 * sends no metadata change; ids stay decimal strings, never JS numbers.
 */
import { Document, isMap, isScalar, parseDocument, YAMLMap, type Pair, type Scalar } from "yaml";
import type { AudienceMetadata } from "../client";

/** Spec keys: 1–63 lowercase letters, digits and "-", starting with a letter or digit (the schema's ResourceKey). */
const KEY_MAX = 63;

/** The members comment: the API cannot list an audience's members, so the entry cannot carry them. */
export function membersComment(key: string): string {
  return [
    " members: Amazon's API cannot list an audience's members, so none are here. Until you add them, `up`",
    " leaves this audience's members alone. Add one source per ID type (what you list is then sent; IDs",
    " Amazon already holds that you do not list stay until their ttl ends), e.g.:",
    " members:",
    `   COOKIE: { file: ids/${key}-cookies.txt }`,
  ].join("\n");
}

/** A spec key from the externalAudienceId (else the id): lowercase, other characters as "-", unique among `taken`. */
export function entryKey(audience: Pick<AudienceMetadata, "audienceId" | "externalAudienceId">, taken: ReadonlySet<string>): string {
  const base =
    audience.externalAudienceId
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, KEY_MAX)
      .replace(/-+$/, "") || `audience-${audience.audienceId}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const key = `${base.slice(0, KEY_MAX - suffix.length).replace(/-+$/, "")}${suffix}`;
    if (!taken.has(key)) return key;
  }
}

/** One audience's entry as a YAML map: `adopt:` first, then the fields as Amazon has them, then the members comment. */
export function entryNode(doc: Document, audience: AudienceMetadata, key: string): YAMLMap {
  const quoted = (value: string): Scalar => Object.assign(doc.createNode(value) as Scalar, { type: "QUOTE_DOUBLE" as const });
  const flow = (value: unknown): YAMLMap | unknown => Object.assign(doc.createNode(value) as object, { flow: true });
  const entry = new YAMLMap();
  entry.add(doc.createPair("adopt", quoted(audience.audienceId)));
  entry.add(doc.createPair("name", audience.name));
  entry.add(doc.createPair("description", audience.description));
  entry.add(doc.createPair("externalAudienceId", audience.externalAudienceId));
  entry.add(doc.createPair("advertiserId", quoted(audience.advertiserId)));
  entry.add(doc.createPair("dataSourceCountry", flow(audience.dataSourceCountry)));
  if (audience.ttl !== undefined) entry.add(doc.createPair("ttl", audience.ttl));
  entry.add(doc.createPair("audienceFees", flow(audience.audienceFees)));
  entry.comment = membersComment(key);
  return entry;
}

/** Entries keyed as they would be in a spec with these keys taken already. */
function keyed(audiences: readonly AudienceMetadata[], taken: Set<string>): Array<{ key: string; audience: AudienceMetadata }> {
  return audiences.map((audience) => {
    const key = entryKey(audience, taken);
    taken.add(key);
    return { key, audience };
  });
}

const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

/** The entries as a block map, each key at column 0. */
function entriesText(entries: ReadonlyArray<{ key: string; audience: AudienceMetadata }>): string {
  const doc = new Document(new YAMLMap());
  const map = doc.contents as YAMLMap;
  for (const { key, audience } of entries) map.add(doc.createPair(key, entryNode(doc, audience, key)));
  return doc.toString(STRINGIFY);
}

/** `text`'s lines indented by `indent` spaces (blank lines stay empty). */
function indented(text: string, indent: number): string {
  return text.replace(/^(?=.)/gm, " ".repeat(indent));
}

/** The entries as YAML to paste under `audiences:` (indented by two spaces, as a spec has them). */
export function renderEntries(audiences: readonly AudienceMetadata[]): string {
  const header = "# Paste under `audiences:` in your spec (the keys are yours to rename before the first up).\naudiences:\n";
  return header + indented(entriesText(keyed(audiences, new Set())), 2);
}

/** What {@link addEntriesToSpec} did. */
export interface SpecEdit {
  text: string;
  added: Array<{ key: string; audienceId: string }>;
  /** Audiences the spec adopts already, with the key that does. */
  present: Array<{ key: string; audienceId: string }>;
}

/** A problem with the spec to write into; names the file and line. */
export class SpecEditError extends Error {
  override name = "SpecEditError";
}

/** `adopt:` values of the spec's audiences, exact (YAML integers are read as bigints). */
function adoptedIds(audiences: YAMLMap): Map<string, string> {
  const found = new Map<string, string>();
  for (const pair of audiences.items as Pair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !isMap(pair.value)) continue;
    const adopt = pair.value.get("adopt", true);
    if (isScalar(adopt) && (typeof adopt.value === "string" || typeof adopt.value === "bigint")) found.set(String(adopt.value), key);
  }
  return found;
}

/**
 * Adds entries to a spec's `audiences:` map. The text around them stays byte for byte as it was
 * (the entries are inserted after the map's last line); an audience the spec adopts already is
 * left as it is. An empty `text` starts a new spec.
 * @throws SpecEditError when the text is not YAML or has no usable `audiences:` map
 */
export function addEntriesToSpec(text: string, fileName: string, audiences: readonly AudienceMetadata[]): SpecEdit {
  const doc: Document = parseDocument(text, { intAsBigInt: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem !== undefined) throw new SpecEditError(`${fileName}: not valid YAML (${problem.message.split("\n")[0]}); nothing was written`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new SpecEditError(`${fileName}: the spec is not a map of keys; nothing was written`);
  const node = doc.get("audiences", true);
  const empty = node === undefined || (isScalar(node) && node.value === null) || (isMap(node) && node.items.length === 0);
  if (!empty && !isMap(node)) throw new SpecEditError(`${fileName}: audiences: is not a map; nothing was written`);
  const existing = isMap(node) ? (node as YAMLMap) : new YAMLMap();
  const adopted = adoptedIds(existing);
  const taken = new Set((existing.items as Pair[]).map((p) => (isScalar(p.key) ? String(p.key.value) : "")));
  const present: SpecEdit["present"] = [];
  const fresh = audiences.filter((a) => {
    const key = adopted.get(a.audienceId);
    if (key !== undefined) present.push({ key, audienceId: a.audienceId });
    return key === undefined;
  });
  const added = keyed(fresh, taken);
  const result = { added: added.map(({ key, audience }) => ({ key, audienceId: audience.audienceId })), present };
  if (added.length === 0) return { text, ...result };
  if (empty || existing.flow === true) {
    // Nothing to keep inside the map: the document is written again with the entries (a new spec has `version: 1`).
    if (doc.contents === null) doc.contents = doc.createNode({ version: 1 });
    const map = new YAMLMap();
    for (const pair of existing.items) map.add(pair);
    for (const { key, audience } of added) map.add(doc.createPair(key, entryNode(doc, audience, key)));
    doc.set("audiences", map);
    return { text: doc.toString(STRINGIFY), ...result };
  }
  const first = (existing.items[0] as Pair).key as Scalar;
  const keyStart = first.range?.[0] ?? 0;
  const indent = keyStart - (text.lastIndexOf("\n", keyStart - 1) + 1);
  // After the map's last non-blank line (its trailing comments included), before the blank lines that follow.
  let at = existing.range?.[1] ?? text.length;
  while (at > 0 && /\s/.test(text[at - 1] as string)) at--;
  const lineEnd = text.indexOf("\n", at);
  const head = lineEnd < 0 ? `${text}\n` : text.slice(0, lineEnd + 1);
  const tail = lineEnd < 0 ? "" : text.slice(lineEnd + 1);
  return { text: head + indented(entriesText(added), indent) + tail, ...result };
}
