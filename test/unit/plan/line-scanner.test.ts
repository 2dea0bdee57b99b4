import { strict as assert } from "node:assert";
import fc from "fast-check";
import { forEachLine, LineTooLongError } from "../../../provider/plan";

async function* chunksOf(data: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let position = 0;
  for (let k = 0; position < data.length; k++) {
    const size = Math.max(1, sizes[k % Math.max(1, sizes.length)] ?? 1);
    yield data.subarray(position, position + size);
    position += size;
  }
}

async function collectLines(data: Buffer, sizes: number[], maxLineBytes?: number): Promise<string[]> {
  const lines: string[] = [];
  await forEachLine(
    chunksOf(data, sizes),
    (chunk, start, end, lineNumber) => {
      assert.equal(lineNumber, lines.length + 1);
      lines.push(chunk.toString("utf8", start, end));
    },
    maxLineBytes === undefined ? {} : { maxLineBytes },
  );
  return lines;
}

describe("forEachLine", () => {
  it("yields the same lines however the bytes are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom("a", "é", "\n", "\r", "😀", " "), maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        async (text, sizes) => {
          const expected = text.split("\n");
          if (expected[expected.length - 1] === "") expected.pop();
          assert.deepEqual(await collectLines(Buffer.from(text), sizes), expected);
        },
      ),
    );
  });

  it("stops at a line longer than the limit, naming the line", async () => {
    const data = Buffer.from("ok\nmuch too long\n");
    for (const sizes of [[100], [3]]) {
      await assert.rejects(
        collectLines(data, sizes, 5),
        (error: unknown) => error instanceof LineTooLongError && error.lineNumber === 2,
      );
    }
  });
});
