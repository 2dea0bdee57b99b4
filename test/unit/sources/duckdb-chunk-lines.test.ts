/**
 * A text column's chunks as lines, read from DuckDB's own memory and through the public API: the
 * same bytes, for values of every shape DuckDB stores (inlined, in heap runs, NULL, empty, with a
 * "\n", non-ASCII), on a real in-process DuckDB.
 */
import { strict as assert } from "node:assert";
import { DuckDBInstance, type DuckDBConnection, type DuckDBInstance as Instance } from "@duckdb/node-api";
import { chunkLines, chunkMemory } from "../../../provider/sources/duckdb-chunk-lines";

/** Row i's value: NULL, "", short (inlined, ≤ 12 bytes), 12 and 13 bytes, long, with "\n", non-ASCII. */
function valueOf(i: number): string | null {
  switch (i % 11) {
    case 0:
      return i % 2 === 0 ? null : "";
    case 1:
      return `s${i}`;
    case 2:
      return `${i}`.padStart(12, "x");
    case 3:
      return `${i}`.padStart(13, "y");
    case 4:
      return `line\none ${i}`;
    case 5:
      return `a\nlonger value over two lines ${i}\n`;
    case 6:
      return `café-${i}`;
    case 7:
      return `ünïcødé cookie number ${i} 😀`;
    default:
      return `cookie-${i}-${"z".repeat(i % 40)}`;
  }
}

/** What the lines must be: values joined by "\n", NULL as U+0001, a "\n" inside a value as U+0002. */
function expectedLines(values: ReadonlyArray<string | null>): Buffer {
  return Buffer.from(values.map((v) => (v === null ? "\u0001" : v.replaceAll("\n", "\u0002"))).join("\n"), "utf8");
}

describe("DuckDB chunks as lines", function () {
  this.timeout(60_000);
  const ROWS = 10_000;
  let db: Instance;
  let c: DuckDBConnection;

  before(async () => {
    db = await DuckDBInstance.create(":memory:");
    c = await db.connect();
    await c.run("CREATE TABLE t (i INTEGER, v VARCHAR)");
    const appender = await c.createAppender("t");
    for (let i = 0; i < ROWS; i++) {
      appender.appendInteger(i);
      const v = valueOf(i);
      if (v === null) appender.appendNull();
      else appender.appendVarchar(v);
      appender.endRow();
    }
    appender.closeSync();
  });
  after(() => {
    c.closeSync();
    db.closeSync();
  });

  /** Every chunk of `sql`'s first column, read both ways, with the values the chunk holds. */
  async function readBothWays(sql: string): Promise<{ memory: Buffer[]; api: Buffer[]; values: Array<Array<string | null>> }> {
    const result = await (await c.prepare(sql)).stream();
    const out = { memory: [] as Buffer[], api: [] as Buffer[], values: [] as Array<Array<string | null>> };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) return out;
      out.memory.push(chunkLines(chunk));
      out.api.push(chunkLines(chunk, null));
      out.values.push(chunk.getColumnValues(0) as Array<string | null>);
    }
  }

  it("reads the chunk's memory in place with this install of @duckdb/node-api", () => {
    assert.notEqual(chunkMemory(), null);
  });

  it("gives the same lines from memory and from the public API, in order, for every kind of value", async () => {
    const { memory, api, values } = await readBothWays("SELECT v FROM t ORDER BY i");
    assert.ok(memory.length > 1, "several chunks");
    assert.deepEqual(values.flat(), Array.from({ length: ROWS }, (_, i) => valueOf(i)));
    for (let k = 0; k < memory.length; k++) {
      const expected = expectedLines(values[k] ?? []);
      assert.ok((memory[k] as Buffer).equals(expected), `chunk ${k} from memory`);
      assert.ok((api[k] as Buffer).equals(expected), `chunk ${k} from the public API`);
    }
  });

  it("reads values made by an expression, short ones only, and a chunk of NULLs", async () => {
    for (const sql of ["SELECT v || '-' || i FROM t WHERE v IS NOT NULL", "SELECT left(coalesce(v, ''), 3) FROM t", "SELECT NULL::VARCHAR FROM range(5000)"]) {
      const { memory, api, values } = await readBothWays(sql);
      for (let k = 0; k < memory.length; k++) {
        const expected = expectedLines(values[k] ?? []);
        assert.ok((memory[k] as Buffer).equals(expected), `${sql}: chunk ${k} from memory`);
        assert.ok((api[k] as Buffer).equals(expected), `${sql}: chunk ${k} from the public API`);
      }
    }
  });
});
