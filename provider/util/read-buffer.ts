/** Bytes read at a time from a large file. */
export const READ_CHUNK_BYTES = 1 << 20;

/**
 * The read buffer for a file of `size` bytes: a chunk for a large file, the file itself (and the
 * end-of-file read) for a small one. A read stream allocates its whole buffer, outside the JS heap,
 * for every read: 1 MiB for each of a catalog's small files was a gigabyte in the program at 1,000
 * audiences (their ID files, read at once) and seconds of garbage collection in the provider (two
 * small sync records per audience, read one after the other).
 */
export function readBufferBytes(size: number): number {
  return Math.min(READ_CHUNK_BYTES, Math.max(0, size) + 1);
}
