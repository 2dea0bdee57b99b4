/**
 * A decoded PATCH /v2/dp/audience body in columnar form: record values stay byte ranges of one
 * buffer (usually the request body itself), so that a 1 MB body becomes ~13,000 membership ops
 * without creating a JS string per record.
 */
import { RECORD_TYPES, type MembershipOp, type RecordType } from "./model";

/** `[op, type, audienceIds, values]`: apply op to every (value, audience) pair. */
export type MembershipGroup = ["+" | "-", RecordType, string[], string[]];

export interface PatchBatch {
  readonly length: number;
  /** Bytes the value ranges point into (UTF-8). */
  readonly bytes: Buffer;
  readonly valueStart: Uint32Array;
  readonly valueEnd: Uint32Array;
  /** 1 = add, 0 = remove */
  readonly add: Uint8Array;
  /** Index into {@link RECORD_TYPES}. */
  readonly type: Uint8Array;
  /** Audience ids per op; consecutive ops with equal lists share one array. */
  readonly audienceIds: ReadonlyArray<readonly string[]>;
}

export function typeIndex(type: RecordType): number {
  return RECORD_TYPES.indexOf(type);
}

/** A growable batch builder used by the decoders. */
export class PatchBatchBuilder {
  private n = 0;
  private valueStart: Uint32Array;
  private valueEnd: Uint32Array;
  private add: Uint8Array;
  private type: Uint8Array;
  private readonly audienceIds: Array<readonly string[]> = [];

  constructor(capacity: number) {
    const c = Math.max(16, capacity);
    this.valueStart = new Uint32Array(c);
    this.valueEnd = new Uint32Array(c);
    this.add = new Uint8Array(c);
    this.type = new Uint8Array(c);
  }

  get length(): number {
    return this.n;
  }

  push(add: boolean, type: number, valueStart: number, valueEnd: number, audienceIds: readonly string[]): void {
    if (this.n === this.add.length) this.grow();
    const i = this.n++;
    this.add[i] = add ? 1 : 0;
    this.type[i] = type;
    this.valueStart[i] = valueStart;
    this.valueEnd[i] = valueEnd;
    this.audienceIds.push(audienceIds);
  }

  build(bytes: Buffer): PatchBatch {
    const n = this.n;
    return {
      length: n,
      bytes,
      valueStart: this.valueStart.subarray(0, n),
      valueEnd: this.valueEnd.subarray(0, n),
      add: this.add.subarray(0, n),
      type: this.type.subarray(0, n),
      audienceIds: this.audienceIds,
    };
  }

  private grow(): void {
    const c = this.add.length * 2;
    const valueStart = new Uint32Array(c);
    valueStart.set(this.valueStart);
    const valueEnd = new Uint32Array(c);
    valueEnd.set(this.valueEnd);
    const add = new Uint8Array(c);
    add.set(this.add);
    const type = new Uint8Array(c);
    type.set(this.type);
    Object.assign(this, { valueStart, valueEnd, add, type });
  }
}

/** The reference decoder's ops as a batch (values encoded as UTF-8 into one buffer). */
export function batchFromOps(ops: readonly MembershipOp[]): PatchBatch {
  const encoded = ops.map((op) => Buffer.from(op.value, "utf8"));
  const bytes = Buffer.concat(encoded);
  const builder = new PatchBatchBuilder(ops.length);
  let offset = 0;
  ops.forEach((op, i) => {
    const length = (encoded[i] as Buffer).length;
    builder.push(op.add, typeIndex(op.type), offset, offset + length, op.audienceIds);
    offset += length;
  });
  return builder.build(bytes);
}

function valueOf(batch: PatchBatch, i: number): string {
  return batch.bytes.toString("utf8", batch.valueStart[i], batch.valueEnd[i]);
}

/** The batch as plain ops (tests and debugging). */
export function opsFromBatch(batch: PatchBatch): MembershipOp[] {
  const ops: MembershipOp[] = [];
  for (let i = 0; i < batch.length; i++) {
    ops.push({ add: batch.add[i] === 1, type: RECORD_TYPES[batch.type[i] as number] as RecordType, value: valueOf(batch, i), audienceIds: batch.audienceIds[i] as string[] });
  }
  return ops;
}

/**
 * Compact string groups for the log: consecutive ops with the same op, type and audience list
 * share one group. `audienceIds[i]` replaces the batch's lists (e.g. filtered to usable ids).
 */
export function groupsFromBatch(batch: PatchBatch, audienceIds: ReadonlyArray<readonly string[]>): MembershipGroup[] {
  const groups: MembershipGroup[] = [];
  let current: MembershipGroup | undefined;
  for (let i = 0; i < batch.length; i++) {
    const ids = audienceIds[i] as string[];
    if (ids.length === 0) continue;
    const op = batch.add[i] === 1 ? "+" : "-";
    const type = RECORD_TYPES[batch.type[i] as number] as RecordType;
    if (!current || current[0] !== op || current[1] !== type || current[2] !== ids) {
      current = [op, type, ids, []];
      groups.push(current);
    }
    current[3].push(valueOf(batch, i));
  }
  return groups;
}
