import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatProgress, hashCsvCommand, parseHashCsvArgs } from "../../../provider/cli/hash-csv-command";
import type { CommandIo } from "../../../provider/cli/command-io";
import { HASHED_CSV_HEADER, hashedRecordCsvLine } from "../../../provider/pii";
import { makeTempDir, readRecords, TEST_KEY } from "../../support/csv-helpers";
import { syntheticPeople, writeSyntheticCsv } from "../../support/synthetic-people";

/** Captures output; the clock advances 1 s per reading. */
function testIo(env: NodeJS.ProcessEnv = {}): CommandIo & { stdout: string[]; stderr: string[] } {
  let t = 0;
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (s) => stderr.push(s), env, errIsTty: false, now: () => (t += 1000) };
}

describe("cli/hash-csv", () => {
  const tmp = makeTempDir();
  after(tmp.cleanup);

  it("parses paths and options", () => {
    const r = parseHashCsvArgs(["in.csv", "out.csv", "--id-column", "cid", "--secret-env", "K", "--default-country", "gb", "--min-rows", "1", "--max-rows", "9", "--workers", "0"]);
    assert.deepEqual(r, {
      input: "in.csv",
      output: "out.csv",
      settings: { csv: "in.csv", hashed: false, idColumn: "cid", minRows: 1, maxRows: 9, defaultCountry: "GB" },
      secretEnv: "K",
      workers: 0,
    });
    assert.deepEqual(parseHashCsvArgs(["a", "b", "--hashed"]).settings, { csv: "a", hashed: true });
    assert.deepEqual(parseHashCsvArgs(["a", "b", "--non-ascii-letters", "fold"]).settings, { csv: "a", hashed: false, nonAsciiLetters: "fold" });
  });

  const bad: Array<[string[], RegExp]> = [
    [["only-one.csv"], /expected exactly 2 arguments \(<in\.csv> <out\.csv>\), got 1/],
    [["a", "b", "c"], /expected exactly 2 arguments \(<in\.csv> <out\.csv>\), got 3/],
    [["a", "b", "--min-rows", "x"], /--min-rows must be an integer ≥ 0/],
    [["a", "b", "--max-rows", "0"], /--max-rows must be an integer ≥ 1/],
    [["a", "b", "--default-country", "USA"], /two-letter/],
    [["a", "b", "--secret", "k"], /unknown option '--secret' \(did you mean --secret-env\?\)/],
    [["a", "b", "--non-ascii-letters", "ascii"], /--non-ascii-letters must be one of aws, fold, expand-german, drop/],
  ];
  for (const [args, reason] of bad) it(`refuses ${args.join(" ")}`, () => assert.throws(() => parseHashCsvArgs(args), reason));

  it("formats progress as rows and rows/s", () => {
    assert.equal(formatProgress(1_200_000, 12_000), "hash-csv: 1,200,000 rows, 100,000 rows/s");
  });

  it("writes the hashed CSV with progress on stderr and a summary on stdout, never a raw value", async () => {
    const input = path.join(tmp.dir, "people.csv");
    await writeSyntheticCsv(input, 300, { seed: 71 });
    const output = path.join(tmp.dir, "people.hashed.csv");
    const io = testIo({ ID_KEY: TEST_KEY });
    const code = await hashCsvCommand([input, output, "--secret-env", "ID_KEY", "--min-rows", "1", "--workers", "0"], io);
    assert.equal(code, 0, io.stderr.join(""));
    const { records } = await readRecords(input, { externalIdKey: TEST_KEY, minRows: 1 });
    assert.equal(fs.readFileSync(output, "latin1"), `${HASHED_CSV_HEADER}\n${records.map(hashedRecordCsvLine).join("\n")}\n`);
    assert.equal(fs.statSync(output).mode & 0o777, 0o600);
    assert.match(io.stderr.join(""), /hash-csv: 300 rows, \d[\d,]* rows\/s/);
    assert.match(io.stdout.join("\n"), /^✓ .*people\.hashed\.csv: 300 records from 300 data rows \(raw\), [\d.]+ kB in [\d.]+ s \([\d,]+ rows\/s\)$/);
    const printed = io.stdout.join("\n") + io.stderr.join("");
    for (const p of syntheticPeople(300, 71)) assert.ok(!printed.includes(p.email.trim()));
  });

  it("reports bad rows by row and column without the value, and writes nothing", async () => {
    const input = tmp.file("bad.csv", "email\njane@example.com\nnot-an-email\n");
    const output = path.join(tmp.dir, "bad.hashed.csv");
    const io = testIo({ ID_KEY: TEST_KEY });
    assert.equal(await hashCsvCommand([input, output, "--secret-env", "ID_KEY", "--min-rows", "1"], io), 1);
    assert.match(io.stderr.join(""), /row 3, column email/);
    assert.doesNotMatch(io.stderr.join(""), /not-an-email/);
    assert.ok(!fs.existsSync(output));
    assert.deepEqual(fs.readdirSync(tmp.dir).filter((f) => f.includes("partial")), []);
  });

  it("hashes non-ASCII names the AWS uploader's way by default (Müller → mueller); --non-ascii-letters fold keeps the old way", async () => {
    const input = tmp.file("names.csv", "id,last_name\nc-1,Müller\n");
    const lastNameHash = async (extra: string[]): Promise<string | undefined> => {
      const output = path.join(tmp.dir, `names-${extra.length}.hashed.csv`);
      const io = testIo();
      assert.equal(await hashCsvCommand([input, output, "--min-rows", "1", ...extra], io), 0, io.stderr.join(""));
      const [header, row] = fs.readFileSync(output, "latin1").trim().split("\n");
      return row?.split(",")[header?.split(",").indexOf("last_name_sha256") ?? -1];
    };
    // printf %s mueller | sha256sum; printf %s muller | sha256sum
    assert.equal(await lastNameHash([]), "ecbd50e7023d1e4524750485ae7612a052b9b14a9591a15430f1503c302813d2");
    assert.equal(await lastNameHash(["--non-ascii-letters", "fold"]), "a8b1fc83cb92ad90b731937cf76116ef6c1aba436f8d0d0ec673e8d34022aca8");
  });

  it("reads a header longer than 64 KiB whole when looking for --id-column (never cut)", async () => {
    // Header cells are trimmed, so padding makes a long but valid header.
    const input = tmp.file("long-header.csv", `email${" ".repeat(70_000)},customer_id\njane@example.com,c-1\n`);
    const io = testIo();
    assert.equal(await hashCsvCommand([input, path.join(tmp.dir, "long-header.out.csv"), "--min-rows", "1", "--id-column", "customer_id"], io), 0, io.stderr.join(""));
  });

  describe("one person per externalId", () => {
    const people = syntheticPeople(6, 73);
    const line = (id: string, i: number): string => `${id},${people[i]?.email.trim() ?? ""},${people[i]?.lastName ?? ""}`;

    // The chunked reader inline and on workers, and the streaming reader (a non-standard id column).
    for (const [workers, idColumn] of [["0", "id"], ["2", "id"], ["0", "customer_id"]] as const) {
      it(`refuses two rows with one externalId and different PII, naming the rows, never the values (workers ${workers}, ${idColumn})`, async () => {
        // Rows 4 and 7 reuse the ids of rows 2 and 3 with another person's data; row 6 repeats row 2 exactly (fine).
        const text = [`${idColumn},email,last_name`, line("c-1", 0), line("c-2", 1), line("c-1", 2), line("c-3", 3), line("c-1", 0), line("c-2", 4)].join("\n");
        const input = tmp.file(`repeat-${workers}-${idColumn}.csv`, `${text}\n`);
        const output = path.join(tmp.dir, `repeat-${workers}-${idColumn}.hashed.csv`);
        const io = testIo();
        assert.equal(await hashCsvCommand([input, output, "--min-rows", "1", "--workers", workers, "--id-column", idColumn], io), 1);
        const reason =
          "with different PII (the same id, or the same email or phone when ids are derived); Amazon keeps one record per externalId, so merge the two rows or drop one";
        assert.equal(
          io.stderr.join(""),
          `✗ ${input}: 2 problems (values are not shown, to keep PII out of logs):\n` +
            `  row 4: has the externalId of row 2 ${reason}\n` +
            `  row 7: has the externalId of row 3 ${reason}\n`,
        );
        for (const p of people) assert.ok(!io.stderr.join("").includes(p.email.trim()) && !io.stderr.join("").includes(p.lastName));
        assert.ok(!io.stderr.join("").includes("c-1"));
        assert.ok(!fs.existsSync(output));
      });
    }

    it("refuses the same email with different names when externalIds are derived from it, and accepts exact repeats", async () => {
      const email = people[0]?.email.trim() ?? "";
      const conflict = tmp.file("derived-repeat.csv", `email,last_name\n${email},${people[0]?.lastName}\n${email},${people[1]?.lastName}\n`);
      const io = testIo({ ID_KEY: TEST_KEY });
      assert.equal(await hashCsvCommand([conflict, path.join(tmp.dir, "d.out.csv"), "--secret-env", "ID_KEY", "--min-rows", "1"], io), 1);
      assert.match(io.stderr.join(""), /^✗ .*derived-repeat\.csv: row 3: has the externalId of row 2 with different PII/);
      const exact = tmp.file("exact-repeat.csv", `email,last_name\n${email},${people[0]?.lastName}\n${email},${people[0]?.lastName}\n`);
      const ok = testIo({ ID_KEY: TEST_KEY });
      assert.equal(await hashCsvCommand([exact, path.join(tmp.dir, "e.out.csv"), "--secret-env", "ID_KEY", "--min-rows", "1"], ok), 0, ok.stderr.join(""));
    });
  });

  it("explains how to get externalIds when the CSV has no id column and no key was given", async () => {
    const input = tmp.file("noid.csv", "email\njane@example.com\n");
    const io = testIo();
    assert.equal(await hashCsvCommand([input, path.join(tmp.dir, "noid.out.csv"), "--min-rows", "1"], io), 1);
    assert.match(io.stderr.join(""), /--secret-env <VAR>, or name the id column with --id-column/);
  });

  it("refuses an unset --secret-env variable before reading", async () => {
    const io = testIo();
    assert.equal(await hashCsvCommand(["in.csv", "out.csv", "--secret-env", "NOPE"], io), 2);
    assert.match(io.stderr.join(""), /environment variable NOPE \(--secret-env\) is not set/);
  });
});
