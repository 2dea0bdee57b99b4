/**
 * A {@link BlobStore} in a Map, for testing the snapshot store's logic without files or a server,
 * with the faults a real one has: a read that comes back cut short (a dropped connection), a
 * store that cannot move a blob aside (read-only credentials).
 */
import { gather, quarantineName, type BlobBody, type BlobPutOptions, type BlobStore } from "../../provider/snapshots/blob-store";

/** Pieces a read is handed in, so decoders see a blob arrive in parts as from a file or socket. */
const PIECE_BYTES = 1000;

export interface MemoryBlobPut {
  readonly name: string;
  readonly streamed: boolean;
  readonly options: BlobPutOptions;
}

export class MemoryBlobStore implements BlobStore {
  readonly location = "memory:";
  readonly blobs = new Map<string, Buffer>();
  /** Every put, in order. */
  readonly puts: MemoryBlobPut[] = [];
  /** Every read, in order, found or not. */
  readonly reads: string[] = [];
  /** When true, {@link quarantine} cannot move anything. */
  refuseQuarantine = false;
  private readonly cutShort = new Map<string, number>();

  locate(name: string): string {
    return `memory:/${name}`;
  }

  /** The next `times` reads of `name` stop half way, as a dropped connection does. */
  cutNextReads(name: string, times: number): void {
    this.cutShort.set(name, times);
  }

  async get<T extends object | string>(name: string, consume: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T | undefined> {
    this.reads.push(name);
    const bytes = this.blobs.get(name);
    if (bytes === undefined) return undefined;
    const cuts = this.cutShort.get(name) ?? 0;
    if (cuts > 0) this.cutShort.set(name, cuts - 1);
    return consume(pieces(cuts > 0 ? bytes.subarray(0, bytes.length >> 1) : bytes));
  }

  async put(name: string, body: BlobBody, options: BlobPutOptions): Promise<void> {
    const streamed = !(body instanceof Uint8Array);
    const bytes = body instanceof Uint8Array ? Buffer.from(body) : await gather(body.stream());
    this.puts.push({ name, streamed, options });
    this.blobs.set(name, bytes);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.blobs.keys()].filter((name) => name.startsWith(prefix));
  }

  async delete(name: string): Promise<void> {
    this.blobs.delete(name);
  }

  async quarantine(name: string): Promise<string | undefined> {
    const bytes = this.blobs.get(name);
    if (this.refuseQuarantine || bytes === undefined) return undefined;
    this.blobs.delete(name);
    this.blobs.set(quarantineName(name), bytes);
    return this.locate(quarantineName(name));
  }
}

async function* pieces(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
}
