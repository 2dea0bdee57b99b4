import { strict as assert } from "node:assert";
import fc from "fast-check";
import { fixedSizeParts } from "../../../provider/snapshots/blob-parts";

async function* chunksOf(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const size of sizes) {
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function partsOf(bytes: Buffer, chunkSizes: readonly number[], partBytes: number): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const part of fixedSizeParts(chunksOf(bytes, chunkSizes), partBytes)) parts.push(Buffer.from(part));
  return parts;
}

const bytesOf = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));

describe("fixedSizeParts", () => {
  const cases: Array<{ what: string; chunks: number[]; part: number; sizes: number[] }> = [
    { what: "nothing from an empty source", chunks: [], part: 4, sizes: [] },
    { what: "nothing from empty chunks", chunks: [0, 0], part: 4, sizes: [] },
    { what: "one short part below the size", chunks: [3], part: 4, sizes: [3] },
    { what: "exactly one part", chunks: [4], part: 4, sizes: [4] },
    { what: "one byte over: a part and a one-byte last part", chunks: [5], part: 4, sizes: [4, 1] },
    { what: "small chunks gathered into parts", chunks: [1, 1, 1, 1, 1, 1, 1, 1, 1], part: 4, sizes: [4, 4, 1] },
    { what: "a chunk spanning several parts", chunks: [2, 11, 0, 3], part: 4, sizes: [4, 4, 4, 4] },
  ];
  for (const { what, chunks, part, sizes } of cases) {
    it(what, async () => {
      const bytes = bytesOf(chunks.reduce((a, b) => a + b, 0));
      const parts = await partsOf(bytes, chunks, part);
      assert.deepEqual(
        parts.map((p) => p.length),
        sizes,
      );
      assert.ok(Buffer.concat(parts).equals(bytes));
    });
  }

  it("always gives the source's bytes in order, every part full but the last", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(50), { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), async (chunks, part) => {
        const bytes = bytesOf(chunks.reduce((a, b) => a + b, 0));
        const parts = await partsOf(bytes, chunks, part);
        assert.ok(Buffer.concat(parts).equals(bytes));
        assert.ok(parts.slice(0, -1).every((p) => p.length === part));
        assert.ok(parts.every((p) => p.length >= 1 && p.length <= part));
      }),
    );
  });

  it("refuses a part size that is not a whole number of bytes", async () => {
    for (const part of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(fixedSizeParts(chunksOf(bytesOf(1), [1]), part).next(), (e: unknown) => e instanceof RangeError && /part size must be a whole number of bytes, at least 1/.test(e.message));
    }
  });
});
