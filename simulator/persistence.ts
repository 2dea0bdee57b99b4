/**
 * Durable state for `dataDir`: an append-only JSONL log of state changes plus a snapshot.
 *
 * - `log.jsonl`: one line per accepted request, `{"s":<seq>,"ch":[<StateChange>...]}`. Membership
 *   ops are grouped (`["+","COOKIE",[ids],[values]]`), so a 5M-id initial sync writes about
 *   25-70 bytes per id, not a full patch object.
 * - `snapshot.jsonl`: header `{"v":1,"s":<seq>}`, then one change per line that rebuilds the
 *   state. Written to a temp file, fsynced and renamed; then the log is truncated. Replay skips
 *   log lines with `s <= header.s`, so a crash between rename and truncate is harmless.
 *
 * Writes are synchronous appends (no fsync per line): state survives a process crash or kill;
 * `close()` fsyncs. A torn last line (crash mid-write) is dropped on load.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StateChange } from "./changes";

const SNAPSHOT_VERSION = 1;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const WRITE_BUFFER_BYTES = 1024 * 1024;

export class CorruptStateError extends Error {
  override name = "CorruptStateError";
}

export class Persistence {
  private logFd: number;
  private seq = 0;
  private bytes = 0;

  private constructor(
    private readonly dir: string,
    readonly compactAfterBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.logFd = fs.openSync(this.logPath, "a");
    this.bytes = fs.fstatSync(this.logFd).size;
  }

  static open(dir: string, compactAfterBytes: number): Persistence {
    return new Persistence(dir, compactAfterBytes);
  }

  get logPath(): string {
    return path.join(this.dir, "log.jsonl");
  }

  get snapshotPath(): string {
    return path.join(this.dir, "snapshot.jsonl");
  }

  /** Bytes in the log since the last compaction. */
  get logBytes(): number {
    return this.bytes;
  }

  get needsCompaction(): boolean {
    return this.bytes > this.compactAfterBytes;
  }

  /** Replays snapshot then log into `apply`. Call once, before any `append`. */
  load(apply: (change: StateChange) => void): void {
    let snapshotSeq = 0;
    if (fs.existsSync(this.snapshotPath)) {
      let header = true;
      readLines(this.snapshotPath, (line, last) => {
        const parsed = parseLine(line, last, this.snapshotPath);
        if (parsed === undefined) return;
        if (header) {
          const h = parsed as { v?: unknown; s?: unknown };
          if (h.v !== SNAPSHOT_VERSION || typeof h.s !== "number") throw new CorruptStateError(`${this.snapshotPath}: bad header`);
          snapshotSeq = h.s;
          header = false;
        } else {
          apply(parsed as StateChange);
        }
      });
    }
    this.seq = snapshotSeq;
    let validBytes = 0;
    readLines(this.logPath, (line, last, endOffset) => {
      const parsed = parseLine(line, last, this.logPath) as { s: number; ch: StateChange[] } | undefined;
      if (parsed === undefined) return;
      validBytes = endOffset;
      if (parsed.s <= snapshotSeq) return;
      for (const change of parsed.ch) apply(change);
      this.seq = parsed.s;
    });
    if (validBytes < this.bytes) {
      // Drop a torn last line so that the next append starts on a fresh line.
      fs.ftruncateSync(this.logFd, validBytes);
      this.bytes = validBytes;
    }
  }

  /** Appends one line holding the changes of one request. */
  append(changes: StateChange[]): void {
    if (changes.length === 0) return;
    this.seq++;
    const line = `{"s":${this.seq},"ch":${JSON.stringify(changes)}}\n`;
    this.bytes += fs.writeSync(this.logFd, line);
  }

  /** Writes `state` as the new snapshot and empties the log. */
  compact(state: Iterable<StateChange>): void {
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = fs.openSync(tmp, "w");
    try {
      let buffer: string[] = [JSON.stringify({ v: SNAPSHOT_VERSION, s: this.seq })];
      let buffered = 0;
      for (const change of state) {
        const line = JSON.stringify(change);
        buffer.push(line);
        buffered += line.length;
        if (buffered >= WRITE_BUFFER_BYTES) {
          fs.writeSync(fd, buffer.join("\n") + "\n");
          buffer = [];
          buffered = 0;
        }
      }
      if (buffer.length > 0) fs.writeSync(fd, buffer.join("\n") + "\n");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.snapshotPath);
    fs.ftruncateSync(this.logFd, 0);
    this.bytes = 0;
  }

  close(): void {
    fs.fsyncSync(this.logFd);
    fs.closeSync(this.logFd);
  }
}

/** Every write ends with a newline, so an unterminated last line is a torn write: skip it. */
function parseLine(line: string, unterminated: boolean, file: string): unknown {
  if (line.length === 0 || unterminated) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new CorruptStateError(`${file}: unreadable line`);
  }
}

/**
 * Calls `onLine(line, isLast, endOffset)` for each line without reading the file into one
 * string (snapshots of millions of members are hundreds of MB). `endOffset` is the byte offset
 * just after the line's newline.
 */
function readLines(file: string, onLine: (line: string, last: boolean, endOffset: number) => void): void {
  if (!fs.existsSync(file)) return;
  const fd = fs.openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0; // file offset of carry[0]
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      const data = n === 0 ? carry : Buffer.concat([carry, chunk.subarray(0, n)]);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        onLine(data.toString("utf8", start, nl), false, offset + nl + 1);
        start = nl + 1;
      }
      if (n === 0) {
        if (start < data.length) onLine(data.toString("utf8", start), true, offset + start);
        return;
      }
      carry = Buffer.from(data.subarray(start));
      offset += start;
    }
  } finally {
    fs.closeSync(fd);
  }
}
