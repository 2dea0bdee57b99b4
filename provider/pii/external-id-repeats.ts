/**
 * Finds rows that repeat an earlier row's externalId with different PII. Amazon keeps one record
 * per externalId (a later upload overwrites it), so such rows would upload in an order-dependent
 * way; exact repeats are harmless. Used by every reader of hashed lines (`hash-csv` and the upload).
 *
 * Memory is 20 bytes per record (up to twice that while its arrays grow by doubling, and 16 more
 * per record for the final sort), never the IDs: each record keeps a 64-bit fingerprint of its
 * externalId, one of its field hashes (the first 64 bits of each) and its row. At the end the records are sorted by
 * externalId fingerprint (stable, so each group is in file order) and every record whose hashes
 * differ from the first of its group is a repeat. A repeat is never missed; two different
 * externalIds with one 64-bit fingerprint (about one chance in a million at 5,000,000 rows)
 * would be reported as a repeat, naming both rows, never passed silently.
 */
import { defaultFingerprinter, type Fingerprinter } from "../plan/fingerprint";
import { sortFingerprints } from "../plan/fingerprint-sort";
import type { PiiIssue } from "./errors";

const COMMA = 0x2c;
/** A field hash in a hashed-CSV line: SHA-256 as lowercase hex. */
const HASH_CHARS = 64;

export interface ExternalIdRepeat {
  /** The repeating row. */
  readonly row: number;
  /** The first row with that externalId. */
  readonly firstRow: number;
}

export class ExternalIdRepeats {
  private idHi = new Uint32Array(1024);
  private idLo = new Uint32Array(1024);
  private contentHi = new Uint32Array(1024);
  private contentLo = new Uint32Array(1024);
  private rows = new Uint32Array(1024);
  private count = 0;
  private readonly out = new Uint32Array(2);

  constructor(private readonly fingerprinter: Fingerprinter = defaultFingerprinter) {}

  /**
   * Adds the hashed-CSV line `bytes[start, end)` (`externalId,hash,…`, ASCII) of data row `row`.
   * After the externalId every cell is empty or 64 hex characters (a SHA-256), so the hashes are
   * told apart by their first 16 characters (64 bits each), read at fixed steps instead of
   * fingerprinting the whole ~500-byte line.
   */
  addLine(view: DataView, start: number, end: number, row: number): void {
    let comma = start;
    while (comma < end && view.getUint8(comma) !== COMMA) comma++;
    if (this.count === this.rows.length) this.grow();
    const i = this.count++;
    this.fingerprinter.fingerprint(view, start, comma, this.out);
    this.idHi[i] = this.out[0] as number;
    this.idLo[i] = this.out[1] as number;
    let h1 = 0x9e3779b9;
    let h2 = 0x85ebca6b;
    let field = 0;
    for (let at = comma + 1; at <= end; field++) {
      if (at === end || view.getUint8(at) === COMMA) {
        // An absent field: mixing its position keeps "a,," and ",a," apart.
        h1 = Math.imul(h1 ^ (0xa5a5a5a5 + field), 0x9e3779b1);
        h2 = Math.imul(h2 ^ (0x5a5a5a5a + field), 0x5f356495);
        at++;
        continue;
      }
      if (at + HASH_CHARS > end) {
        // Not a 64-hex cell (never produced by the readers): mix the rest byte by byte.
        for (; at < end; at++) h1 = Math.imul(h1 ^ view.getUint8(at), 0x9e3779b1);
        break;
      }
      for (let k = 0; k < 16; k += 4) {
        const word = view.getUint32(at + k, true);
        h1 = Math.imul(h1 ^ word, 0x9e3779b1);
        h1 = (h1 << 13) | (h1 >>> 19);
        h2 = Math.imul(h2 ^ word, 0x5f356495);
        h2 = (h2 << 17) | (h2 >>> 15);
      }
      at += HASH_CHARS + 1;
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
    this.contentHi[i] = (h1 ^ (h1 >>> 16)) >>> 0;
    this.contentLo[i] = (h2 ^ (h2 >>> 16)) >>> 0;
    this.rows[i] = row;
  }

  private grow(): void {
    const grown = (a: Uint32Array): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.idHi = grown(this.idHi);
    this.idLo = grown(this.idLo);
    this.contentHi = grown(this.contentHi);
    this.contentLo = grown(this.contentLo);
    this.rows = grown(this.rows);
  }

  /** Every repeat with different PII, in row order. The tracker is spent afterwards. */
  repeats(): ExternalIdRepeat[] {
    const n = this.count;
    // Sorted in place: the tracker is spent afterwards.
    const hi = this.idHi.subarray(0, n);
    const lo = this.idLo.subarray(0, n);
    const order = sortFingerprints(hi, lo);
    const found: ExternalIdRepeat[] = [];
    for (let k = 0; k < n; ) {
      let end = k + 1;
      while (end < n && hi[end] === hi[k] && lo[end] === lo[k]) end++;
      const first = order[k] as number;
      for (let j = k + 1; j < end; j++) {
        const other = order[j] as number;
        if (this.contentHi[other] !== this.contentHi[first] || this.contentLo[other] !== this.contentLo[first]) {
          found.push({ row: this.rows[other] as number, firstRow: this.rows[first] as number });
        }
      }
      k = end;
    }
    return found.sort((a, b) => a.row - b.row);
  }
}

/** The problem for one repeat; names rows only. */
export function externalIdRepeatIssue(repeat: ExternalIdRepeat): PiiIssue {
  return {
    row: repeat.row,
    code: "external-id-repeat",
    reason:
      `has the externalId of row ${repeat.firstRow} with different PII (the same id, or the same email or phone when ids are derived); ` +
      "Amazon keeps one record per externalId, so merge the two rows or drop one",
  };
}
