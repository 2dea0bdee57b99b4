import { strict as assert } from "node:assert";
import fc from "fast-check";
import { sha256Hex } from "../../../provider/pii";
import { ExternalIdRepeats } from "../../../provider/pii/external-id-repeats";

const [A, B, C] = ["a", "b", "c"].map(sha256Hex) as [string, string, string];
/** Field cells as the readers write them: 64 hex characters or empty, eight of them. */
const CONTENTS = [`${A},,,,,,,`, `,${A},,,,,,`, `${A},${B},,,,,,`, `${B},${A},,,,,,`, `,,,,,,,${C}`, `${A},,,,,,,${C}`];

function linesView(lines: readonly string[]): { view: DataView; ranges: [number, number][] } {
  const bytes = Buffer.from(lines.join("\n"), "latin1");
  const ranges: [number, number][] = [];
  let start = 0;
  for (const line of lines) {
    ranges.push([start, start + line.length]);
    start += line.length + 1;
  }
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), ranges };
}

describe("pii/external-id-repeats", () => {
  it("finds exactly the rows whose externalId came earlier with other hashes (against a Map reference)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.constantFrom(...CONTENTS)), { maxLength: 40 }), (pairs) => {
        const lines = pairs.map(([id, hashes]) => `${id},${hashes}`);
        const repeats = new ExternalIdRepeats();
        const { view, ranges } = linesView(lines);
        ranges.forEach(([start, end], i) => repeats.addLine(view, start, end, i + 2));
        const first = new Map<string, { row: number; hashes: string }>();
        const expected: { row: number; firstRow: number }[] = [];
        pairs.forEach(([id, hashes], i) => {
          const seen = first.get(id);
          if (seen === undefined) first.set(id, { row: i + 2, hashes });
          else if (seen.hashes !== hashes) expected.push({ row: i + 2, firstRow: seen.row });
        });
        assert.deepEqual(repeats.repeats(), expected);
      }),
    );
  });
});
