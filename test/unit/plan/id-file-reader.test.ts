import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IdFileError, idSetFrom, MAX_ID_LINE_BYTES, readIdFile, readIdFiles, setDigest, type IdValidator } from "../../../provider/plan";

describe("readIdFile(s)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "id-files-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  const onlyLetters: IdValidator = (id) => (/^[A-Za-z]+$/.test(id) ? undefined : "not letters only");

  it("trims lines, skips blanks and comments, accepts CRLF, a BOM and a last line without newline", async () => {
    const path = file("mixed.txt", "\uFEFFalpha\r\n# a comment\n\n   \t\r\n  beta  \r\n\u00a0gamma\u3000\n  # indented comment\ndelta");
    const set = await readIdFile(path);
    assert.deepEqual(set.toArray().sort(), ["alpha", "beta", "delta", "gamma"]);
  });

  it("gives the same set as the same IDs passed as strings", async () => {
    const ids = ["Ünïcödé", "COOKIE-EMpBAI0GRcK4nBNGpPGg5g", "a b", "😀"];
    const set = await readIdFile(file("unicode.txt", ids.join("\r\n")));
    assert.equal(setDigest(set), setDigest(idSetFrom(ids)));
  });

  it("merges several files and counts repeats across them", async () => {
    const set = await readIdFiles([file("one.txt", "a\nb\nb\n"), file("two.txt", "b\nc\n")]);
    assert.deepEqual(set.toArray().sort(), ["a", "b", "c"]);
    assert.equal(set.duplicatesRemoved, 2);
  });

  it("reports invalid lines with file and line number, not the ID", async () => {
    const first = file("first.txt", "good\nbad1\n\n# skipped\nbäd\n");
    const second = file("second.txt", "fine\n  x-y \n");
    await assert.rejects(readIdFiles([first, second], { validate: onlyLetters }), (error: unknown) => {
      assert.ok(error instanceof IdFileError);
      assert.equal(error.totalProblems, 3);
      assert.deepEqual(error.problems, [
        { file: first, line: 2, reason: "not letters only" },
        { file: first, line: 5, reason: "not letters only" },
        { file: second, line: 2, reason: "not letters only" },
      ]);
      assert.equal(
        error.message,
        `3 invalid ID lines:\n  ${first}:2: not letters only\n  ${first}:5: not letters only\n  ${second}:2: not letters only`,
      );
      assert.ok(!error.message.includes("x-y"));
      return true;
    });
  });

  it("lists only the first problems and says how many more there are", async () => {
    const path = file("many-bad.txt", Array.from({ length: 30 }, (_, i) => `id${i}`).join("\n"));
    await assert.rejects(readIdFile(path, { validate: onlyLetters, maxReportedProblems: 2 }), (error: unknown) => {
      assert.ok(error instanceof IdFileError);
      assert.equal(error.problems.length, 2);
      assert.equal(error.totalProblems, 30);
      assert.match(error.message, /^30 invalid ID lines:\n {2}.*:1: not letters only\n {2}.*:2: not letters only\n {2}… and 28 more$/);
      return true;
    });
  });

  it("rejects bytes that are not UTF-8", async () => {
    const path = file("latin1.txt", Buffer.concat([Buffer.from("ok\n"), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from("\n")]));
    await assert.rejects(readIdFile(path), (error: unknown) => {
      assert.ok(error instanceof IdFileError);
      assert.deepEqual(error.problems, [{ file: path, line: 2, column: 4, reason: "not valid UTF-8; save the file as UTF-8" }]);
      assert.equal(error.message, `1 invalid ID line:\n  ${path}:2:4: not valid UTF-8; save the file as UTF-8`);
      return true;
    });
  });

  it("rejects a line longer than the limit", async () => {
    const path = file("long.txt", `short\n${"x".repeat(100)}\n`);
    await assert.rejects(readIdFile(path, { maxLineBytes: 50 }), (error: unknown) => {
      assert.ok(error instanceof IdFileError);
      assert.deepEqual(error.problems, [{ file: path, line: 2, reason: "line is longer than 50 bytes" }]);
      return true;
    });
  });

  it("never splits a line: one over the default limit, across read chunks, is an error naming file and line", async () => {
    // 1.5 MiB of valid IDs first, so the long line straddles the reader's 1 MiB chunks.
    const before = Array.from({ length: 70_000 }, (_, i) => `cookie-${i.toString(36).padStart(14, "0")}`);
    const long = "A".repeat(MAX_ID_LINE_BYTES + 1);
    const path = file("straddle.txt", `${before.join("\n")}\n${long}\nafter-the-long-line\n`);
    await assert.rejects(readIdFile(path), (error: unknown) => {
      assert.ok(error instanceof IdFileError);
      assert.equal(error.message, `1 invalid ID line:\n  ${path}:${before.length + 1}: line is longer than 65536 bytes`);
      return true;
    });
  });

  it("reads an empty file as an empty set and fails for a missing file", async () => {
    assert.equal((await readIdFile(file("empty.txt", ""))).size, 0);
    await assert.rejects(readIdFile(join(dir, "missing.txt")), /ENOENT/);
  });

  it("reads IDs across the 1 MiB read chunks", async () => {
    const ids = Array.from({ length: 120_000 }, (_, i) => `cookie-${i.toString(36).padStart(8, "0")}`);
    const set = await readIdFile(file("big.txt", ids.join("\n")));
    assert.equal(set.size, ids.length);
    assert.equal(setDigest(set), setDigest(idSetFrom(ids)));
  });
});
