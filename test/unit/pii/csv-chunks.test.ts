import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parse as parseSync } from "csv-parse/sync";
import { detectRecordDelimiter, parseChunk, parseWellFormed, recordBoundary, visitRecords, visitUtf8Records, type RecordDelimiter } from "../../../provider/pii/csv-chunks";
import { csvField } from "../../support/synthetic-people";

/** What streaming csv-parse (our options) makes of a whole text; an error ends the list. */
function csvParseReference(text: string): { rows: string[][]; error: boolean } {
  try {
    return { rows: parseSync(text, { bom: true, relax_column_count: true }) as string[][], error: false };
  } catch {
    return { rows: [], error: true };
  }
}

const cellChars = fc.constantFrom("a", "b", " ", ",", '"', "\n", "\r", "é", "1");
const cell = fc.string({ unit: cellChars, maxLength: 6 });
const delimiterArb = fc.constantFrom<RecordDelimiter>("\n", "\r\n");

/** Well-formed CSV text: rows of cells, quoted where needed, one delimiter throughout. */
const wellFormed = fc
  .tuple(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }), delimiterArb, fc.boolean())
  .map(([rows, delimiter, trailing]) => ({
    delimiter,
    text: rows.map((row) => row.map(csvField).join(",")).join(delimiter) + (trailing ? delimiter : ""),
  }))
  // csv-parse detects the delimiter at the first line break; keep the first break ours.
  .filter(({ text, delimiter }) => detectRecordDelimiter(text, true) === delimiter);

describe("pii/csv-chunks", () => {
  it("detects the record delimiter like csv-parse: the first line break outside quotes", () => {
    assert.equal(detectRecordDelimiter("a,b\r\nc", false), "\r\n");
    assert.equal(detectRecordDelimiter("a,b\nc\r\n", false), "\n");
    assert.equal(detectRecordDelimiter('"x\ny",b\r\n', false), "\r\n");
    assert.equal(detectRecordDelimiter("a,b\r", false), undefined);
    assert.equal(detectRecordDelimiter("a,b\r", true), "\r");
    assert.equal(detectRecordDelimiter("a,b", true), "\n");
  });

  it("parses well-formed text exactly like csv-parse", () => {
    fc.assert(
      fc.property(wellFormed, ({ text, delimiter }) => {
        assert.deepEqual(parseChunk(text, delimiter).rows, csvParseReference(text).rows);
      }),
      { numRuns: 1500 },
    );
  });

  it("agrees with csv-parse on arbitrary text, errors included", () => {
    const arbitrary = fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", " "), maxLength: 30 });
    fc.assert(
      fc.property(arbitrary, (text) => {
        const reference = csvParseReference(text);
        const chunk = parseChunk(text, "\n");
        assert.equal(chunk.error !== undefined, reference.error);
        if (!reference.error) assert.deepEqual(chunk.rows, reference.rows);
      }),
      { numRuns: 1500 },
    );
  });

  it("the strict scanner gives up on irregular quoting instead of guessing", () => {
    assert.equal(parseWellFormed('a,b"c\n', "\n"), undefined);
    assert.equal(parseWellFormed('a,"b"c\n', "\n"), undefined);
    assert.equal(parseWellFormed('a,"b\n', "\n"), undefined);
    assert.deepEqual(parseWellFormed('a,"b ""q"", c"\n', "\n"), [["a", 'b "q", c']]);
  });

  it("splitting at any record boundary and parsing the pieces equals parsing the whole", () => {
    fc.assert(
      fc.property(wellFormed, fc.integer({ min: 1, max: 40 }), ({ text, delimiter }, size) => {
        const rows: string[][] = [];
        let rest = text;
        while (rest.length > 0) {
          // The chunked reader cuts at the last boundary within its chunk size (or at the end).
          const window = rest.slice(0, Math.max(size, 1));
          let cut = recordBoundary(window, delimiter, true);
          if (cut < 0) cut = recordBoundary(rest, delimiter, false);
          if (cut < 0) cut = rest.length;
          rows.push(...parseChunk(rest.slice(0, cut), delimiter).rows);
          rest = rest.slice(cut);
        }
        assert.deepEqual(rows, csvParseReference(text).rows);
      }),
      { numRuns: 1000 },
    );
  });
  it("reading UTF-8 bytes cell by cell gives the cells and errors of decoding them whole", () => {
    // Bytes of any text, with stray continuation and lead bytes (not UTF-8) mixed in.
    const piece = fc.oneof(
      fc.constantFrom("a", ",", '"', "\n", "\r", " ", "é", "Ł", "\uFFFD", "😀", "山").map((c) => Buffer.from(c, "utf8")),
      fc.constantFrom(0x80, 0xbf, 0xc3, 0xe2, 0xf0, 0xff).map((b) => Buffer.from([b])),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), delimiterArb, (pieces, delimiter) => {
        const bytes = Buffer.concat(pieces);
        const visit = (run: (collect: (cells: string[]) => void) => unknown): { rows: string[][]; error: string | undefined } => {
          const rows: string[][] = [];
          const error = run((cells) => void rows.push([...cells])) as { code?: string } | undefined;
          return { rows, error: error?.code };
        };
        const whole = visit((collect) => visitRecords(bytes.toString("utf8"), delimiter, collect));
        const cellwise = visit((collect) => visitUtf8Records(bytes, delimiter, collect));
        assert.deepEqual(cellwise, whole);
      }),
      { numRuns: 3000 },
    );
  });
});
