/**
 * A blob's bytes cut into parts of one size (the last one shorter), for stores that upload a
 * large blob in parts (S3 multipart). One part is held at a time: each is a buffer of its own,
 * filled from the source's chunks in order, never a copy of all of them.
 */

/**
 * The bytes of `source` as consecutive parts of exactly `partBytes` bytes, the last one 1 to
 * `partBytes` bytes; nothing for an empty source.
 */
export async function* fixedSizeParts(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, partBytes: number): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(partBytes) || partBytes < 1) throw new RangeError(`part size must be a whole number of bytes, at least 1 (got ${partBytes})`);
  let part: Buffer | undefined;
  let filled = 0;
  for await (const chunk of source) {
    for (let at = 0; at < chunk.byteLength; ) {
      part ??= Buffer.allocUnsafe(partBytes);
      const taken = Math.min(partBytes - filled, chunk.byteLength - at);
      part.set(chunk.subarray(at, at + taken), filled);
      filled += taken;
      at += taken;
      if (filled === partBytes) {
        yield part;
        part = undefined;
        filled = 0;
      }
    }
  }
  if (part !== undefined && filled > 0) yield part.subarray(0, filled);
}
