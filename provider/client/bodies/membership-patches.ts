/**
 * PATCH /v2/dp/audience bodies: records joining or leaving audiences, as rows or columns. Pure
 * and hot: bodies are built from templates (no patch objects, no `JSON.stringify` of whole
 * bodies), byte sizes are tracked as we go, so a limit is never exceeded, and each body is
 * written once into an exactly-sized Buffer (no string concatenation, no join, no later UTF-8
 * encoding by the transport).
 */
import { InvalidInputError, RecordTooLargeError } from "../input-errors";
import { toInt64String } from "../int64";
import { ID_TYPES_IN_WORDS } from "../../api-vocabulary";
import { DEFAULT_PATCH_BATCH_LIMITS, checkPatchLimits, type PatchBatchLimits } from "./body-limits";
import { NEEDS_ESCAPING_OR_MULTIBYTE, RECORD_ID_TYPES, checkWellFormed, escapeJsonStringContent, type RecordIdType } from "./record-values";
import { BODY_END, type KeyedBatch, type RequestBatch } from "./request-batch";

export type MembershipOpKind = "add" | "remove";

const MEMBERSHIP_OP_KINDS: ReadonlySet<string> = new Set<MembershipOpKind>(["add", "remove"]);

/**
 * Row form: one record joins (`add`) or leaves (`remove`) one or more
 * audiences. Rows for the same record and op are merged into one patch.
 */
export interface MembershipOp {
  op: MembershipOpKind;
  type: RecordIdType;
  /** The record id without its type prefix, e.g. a cookie id. */
  value: string;
  /** Audience ids (int64 decimal strings). */
  audienceIds: readonly string[];
}

/**
 * Columnar form, for millions of records: every value in `values` gets the
 * same op on the same audiences. This is the fast path: the per-audience part
 * of each patch is built once per column. Columns are not merged with each
 * other, so a record should appear in at most one column per op (the planner's
 * natural output: one column per audience set and op).
 */
export interface MembershipOpColumn {
  op: MembershipOpKind;
  type: RecordIdType;
  values: readonly string[];
  audienceIds: readonly string[];
  /**
   * Consent sent with every patch of this column (`{consentType: "TCF"|"GPP"|"Amazon", …}`, see
   * the API's Consent object). @default none: no `consent` field
   */
  consent?: Readonly<Record<string, unknown>>;
}

/** A PATCH /v2/dp/audience body. */
export interface PatchBatch extends RequestBatch {
  /** Patches in the body (one per record and op). */
  patches: number;
}

const PATCH_BODY_START = '{"patches":[';
const PATCH_WRAPPER_BYTES = PATCH_BODY_START.length + BODY_END.length;

/** Packs columns into PATCH /v2/dp/audience bodies. Lazy: bodies are built as they are consumed. */
export function* packMembershipColumns(
  columns: Iterable<MembershipOpColumn>,
  limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS,
): Generator<PatchBatch, void, undefined> {
  checkPatchLimits(limits);
  const builder = new PatchBodyBuilder(limits);
  const templates = new PatchTemplateCache();
  for (const column of columns) {
    const template = columnTemplate(templates, column);
    if (template === undefined) continue;
    const values = column.values;
    const fixedBytes = template.prefix.length + template.suffix.length;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      checkValuePresent(value, column.type, i);
      let full: PatchBatch | undefined;
      if (NEEDS_ESCAPING_OR_MULTIBYTE.test(value)) {
        checkWellFormed(value, column.type, `column.values[${i}]`);
        full = builder.add(template, escapeJsonStringContent(value), false, column.type, value);
      } else {
        full = builder.add(template, value, true, column.type, value, fixedBytes + value.length);
      }
      if (full !== undefined) yield full;
    }
  }
  const last = builder.finish();
  if (last !== undefined) yield last;
}

/**
 * Packs rows into PATCH /v2/dp/audience bodies, first merging rows of the same
 * record and op into one patch whose `value` lists all their audiences
 * (deduplicated, in first-seen order). Output order follows first appearance.
 */
export function packMembershipOps(
  ops: Iterable<MembershipOp>,
  limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS,
): Generator<PatchBatch, void, undefined> {
  return packMembershipColumns(membershipOpsToColumns(ops), limits);
}

/** Merges rows (see `mergeMembershipOps`) and turns each merged record into a one-value column. */
export function membershipOpsToColumns(ops: Iterable<MembershipOp>): MembershipOpColumn[] {
  return mergeMembershipOps(ops).map((record) => ({ op: record.op, type: record.type, values: [record.value], audienceIds: record.audienceIds }));
}

/**
 * Checks every column before anything is sent: op and type, audience ids,
 * non-empty values, and that each record fits a body on its own. Cheap: exact
 * byte counts are only computed for values long enough to possibly not fit.
 * @throws InvalidInputError or RecordTooLargeError naming the record.
 */
export function checkMembershipColumns(columns: readonly MembershipOpColumn[], limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS): void {
  checkPatchLimits(limits);
  const templates = new PatchTemplateCache();
  for (const column of columns) {
    const template = columnTemplate(templates, column);
    if (template === undefined) continue;
    const values = column.values;
    const fixedBytes = PATCH_WRAPPER_BYTES + template.prefix.length + template.suffix.length;
    // One UTF-16 unit never takes more than 6 bytes in JSON (`\uXXXX`).
    const safeLength = Math.floor((limits.maxBodyBytes - fixedBytes) / 6);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      checkValuePresent(value, column.type, i);
      if (NEEDS_ESCAPING_OR_MULTIBYTE.test(value)) checkWellFormed(value, column.type, `column.values[${i}]`);
      if (value.length > safeLength) {
        const bytes = fixedBytes + Buffer.byteLength(escapeJsonStringContent(value), "utf8");
        if (bytes > limits.maxBodyBytes) throw new RecordTooLargeError(column.type, value, bytes, limits.maxBodyBytes);
      }
    }
  }
}

/** Merges rows by (op, type, value), uniting their audience ids. */
export function mergeMembershipOps(ops: Iterable<MembershipOp>): MembershipOp[] {
  const byRecord = new Map<string, { op: MembershipOpKind; type: RecordIdType; value: string; audienceIds: string[] }>();
  let index = 0;
  for (const op of ops) {
    checkOpAndType(op.op, op.type, `ops[${index}]`);
    if (typeof op.value !== "string" || op.value.length === 0) {
      throw new InvalidInputError(`ops[${index}].value`, `${op.type} record value at index ${index} is empty or not a string`);
    }
    if (op.audienceIds.length === 0) {
      throw new InvalidInputError(`ops[${index}].audienceIds`, `ops[${index}] (${op.type}) lists no audience ids`);
    }
    const key = `${op.op}\u0000${op.type}\u0000${op.value}`;
    const existing = byRecord.get(key);
    if (existing === undefined) {
      byRecord.set(key, { op: op.op, type: op.type, value: op.value, audienceIds: [...new Set(op.audienceIds)] });
    } else {
      for (const id of op.audienceIds) if (!existing.audienceIds.includes(id)) existing.audienceIds.push(id);
    }
    index++;
  }
  return [...byRecord.values()];
}

const COMMA = 0x2c;

/**
 * The fixed parts of every patch of one (op, type, audience list), as bytes:
 * `{"op":"add","path":"/COOKIE-` + value + `/audiences","value":[1,2]}`, and
 * the `joint` between two such patches (suffix, comma, prefix) so that a run
 * of patches from one column costs one copy and one write each.
 */
interface PatchTemplate {
  prefix: Buffer;
  suffix: Buffer;
  joint: Buffer;
  /** Distinct audience ids: membership operations per patch. */
  audienceCount: number;
}

/** Builds each template once (audience ids validated once per distinct list). */
class PatchTemplateCache {
  readonly #byKey = new Map<string, PatchTemplate>();

  get(op: MembershipOpKind, type: RecordIdType, audienceIds: readonly string[], field: string, consent?: Readonly<Record<string, unknown>>): PatchTemplate {
    const consentJson = consent === undefined ? "" : `,"consent":${JSON.stringify(consent)}`;
    const key = `${op}/${type}/${audienceIds.join(",")}${consentJson}`;
    let template = this.#byKey.get(key);
    if (template === undefined) {
      if (audienceIds.length === 0) throw new InvalidInputError(field, `${field} is empty: a patch needs at least one audience id`);
      const canonical = [...new Set(audienceIds.map((id, i) => toInt64String(id, `${field}[${i}]`)))];
      const prefix = Buffer.from(`{"op":"${op}","path":"/${type}-`, "latin1");
      const suffix = Buffer.from(`/audiences","value":[${canonical.join(",")}]${consentJson}}`, "utf8");
      template = { prefix, suffix, joint: Buffer.concat([suffix, Buffer.from(","), prefix]), audienceCount: canonical.length };
      this.#byKey.set(key, template);
    }
    return template;
  }
}

/**
 * Accumulates patches by reference (template and value) and, when the next
 * one would not fit, writes the full body into one exactly-sized Buffer.
 */
class PatchBodyBuilder {
  readonly #maxBodyBytes: number;
  readonly #maxPatches: number;
  readonly #templates: PatchTemplate[] = [];
  readonly #values: string[] = [];
  /** True when the value is printable ASCII (written as latin1, 1 byte per char). */
  readonly #plain: boolean[] = [];
  #count = 0;
  #bytes = PATCH_WRAPPER_BYTES;
  #ops = 0;

  constructor(limits: PatchBatchLimits) {
    this.#maxBodyBytes = limits.maxBodyBytes;
    this.#maxPatches = limits.maxPatches;
  }

  /**
   * Adds the patch `template.prefix + value + template.suffix` (`value`
   * already JSON-escaped); returns the previous body when this patch had to
   * start a new one.
   */
  add(
    template: PatchTemplate,
    value: string,
    plain: boolean,
    recordType: string,
    recordValue: string,
    patchBytes = template.prefix.length + template.suffix.length + (plain ? value.length : Buffer.byteLength(value, "utf8")),
  ): PatchBatch | undefined {
    if (PATCH_WRAPPER_BYTES + patchBytes > this.#maxBodyBytes) {
      throw new RecordTooLargeError(recordType, recordValue, PATCH_WRAPPER_BYTES + patchBytes, this.#maxBodyBytes);
    }
    let full: PatchBatch | undefined;
    if (this.#count === this.#maxPatches || this.#bytes + patchBytes + (this.#count > 0 ? 1 : 0) > this.#maxBodyBytes) {
      full = this.#take();
    }
    const index = this.#count++;
    this.#bytes += patchBytes + (index > 0 ? 1 : 0);
    this.#templates[index] = template;
    this.#values[index] = value;
    this.#plain[index] = plain;
    this.#ops += template.audienceCount;
    return full;
  }

  finish(): PatchBatch | undefined {
    if (this.#count === 0) return undefined;
    const last = this.#take();
    // Drop the references so the caller's strings can be collected.
    this.#templates.length = this.#values.length = this.#plain.length = 0;
    return last;
  }

  #take(): PatchBatch {
    const body = Buffer.allocUnsafe(this.#bytes);
    let offset = body.write(PATCH_BODY_START, 0, "latin1");
    let previous: PatchTemplate | undefined;
    for (let i = 0; i < this.#count; i++) {
      const template = this.#templates[i] as PatchTemplate;
      if (previous === undefined) {
        offset += template.prefix.copy(body, offset);
      } else if (template === previous) {
        offset += template.joint.copy(body, offset);
      } else {
        offset += previous.suffix.copy(body, offset);
        body[offset++] = COMMA;
        offset += template.prefix.copy(body, offset);
      }
      offset += body.write(this.#values[i] as string, offset, this.#plain[i] === true ? "latin1" : "utf8");
      previous = template;
    }
    if (previous !== undefined) offset += previous.suffix.copy(body, offset);
    offset += body.write(BODY_END, offset, "latin1");
    // allocUnsafe memory must be fully overwritten; a size mismatch would also mean a wrong limit check.
    if (offset !== this.#bytes) throw new Error(`internal error: patch body is ${offset} bytes, expected ${this.#bytes}`);
    const batch: PatchBatch = { body, bytes: this.#bytes, patches: this.#count, ops: this.#ops };
    this.#count = 0;
    this.#bytes = PATCH_WRAPPER_BYTES;
    this.#ops = 0;
    return batch;
  }
}

/** A column with one caller's key per value (`keys[i]` names `values[i]`). */
export type KeyedMembershipColumn<K> = MembershipOpColumn & { keys: readonly K[] };

/**
 * {@link packMembershipColumns}, each body with the keys of its patches. The hot packer is left
 * as is: keys are queued per column and each body takes as many as it has patches (one patch
 * per value, in order).
 */
export function* packKeyedMembershipColumns<K>(
  columns: Iterable<KeyedMembershipColumn<K>>,
  limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS,
): Generator<KeyedBatch<K, PatchBatch>, void, undefined> {
  const queue: Array<readonly K[]> = [];
  let head = 0; // keys of queue[0] already handed out
  function* unkeyed(): Generator<MembershipOpColumn, void, undefined> {
    for (const column of columns) {
      if (column.keys.length !== column.values.length) {
        throw new InvalidInputError("column.keys", `column.keys has ${column.keys.length} keys for ${column.values.length} values`);
      }
      if (column.values.length > 0) queue.push(column.keys);
      yield column;
    }
  }
  for (const batch of packMembershipColumns(unkeyed(), limits)) {
    const keys: K[] = [];
    while (keys.length < batch.patches) {
      const next = queue[0] as readonly K[];
      const take = Math.min(next.length - head, batch.patches - keys.length);
      for (let i = head; i < head + take; i++) keys.push(next[i] as K);
      head += take;
      if (head === next.length) {
        queue.shift();
        head = 0;
      }
    }
    yield { ...batch, keys };
  }
}

/** The template of a column's patches, its op and type checked; undefined for a column without values. */
function columnTemplate(templates: PatchTemplateCache, column: MembershipOpColumn): PatchTemplate | undefined {
  checkOpAndType(column.op, column.type, "column");
  if (column.values.length === 0) return undefined;
  return templates.get(column.op, column.type, column.audienceIds, "column.audienceIds", column.consent);
}

function checkValuePresent(value: string | undefined, type: RecordIdType, index: number): asserts value is string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidInputError(`column.values[${index}]`, `${type} record value at index ${index} is empty or not a string`);
  }
}

function checkOpAndType(op: string, type: string, where: string): void {
  if (!MEMBERSHIP_OP_KINDS.has(op)) throw new InvalidInputError(`${where}.op`, `${where}.op must be "add" or "remove" (got ${JSON.stringify(op)})`);
  if (!RECORD_ID_TYPES.has(type)) {
    throw new InvalidInputError(`${where}.type`, `${where}.type must be ${ID_TYPES_IN_WORDS} (got ${JSON.stringify(type)})`);
  }
}
