/**
 * `dsp-audiences hash-csv <in.csv> <out.csv>`: normalises and hashes a CSV of people into a
 * hashed CSV (`external_id,email_sha256,…,zip_sha256`) for teams that upload by other means.
 * Progress goes to stderr, the summary to stdout; neither ever shows a value from the file.
 */
import { AMAZON_MAX_ROWS, AMAZON_MIN_ROWS, hashCsvFile, PiiInputError, type CsvReadSummary, type NonAsciiLetters } from "../pii";
import { readHashedLines, type RecordsSourceSettings } from "../customer-records/records-source";
import { describeProgress } from "../provider-process/progress-line";
import { processIo, type CommandIo } from "./command-io";
import { fmt } from "../util/format";
import { parseCommandLine, UsageError, usageFailure, wholeNumber, type CommandSpec } from "../util/command-line";

const NON_ASCII_MODES: readonly NonAsciiLetters[] = ["aws", "fold", "expand-german", "drop"];

/** The command's arguments and options; its parser and its help. */
export const HASH_CSV_COMMAND = {
  name: "hash-csv",
  summary: "normalise and hash a CSV of people into a hashed CSV (external_id + SHA-256 columns), locally",
  description:
    "Reads names, emails, phones and addresses, normalises them as Amazon's guide says and writes one SHA-256\n" +
    "column per field (mode 0600). Progress goes to stderr, the summary to stdout; neither shows a value from the file.",
  arguments: [
    { name: "in.csv", description: "the CSV of people (raw PII, or already hashed with --hashed)" },
    { name: "out.csv", description: "where the hashed CSV goes" },
  ],
  options: {
    "id-column": { type: "string", value: "<name>", description: "the column holding each person's externalId", default: "external_id" },
    "secret-env": { type: "string", value: "<VAR>", description: "derive externalIds by HMAC with the key in this environment variable (never the key itself here)" },
    hashed: { type: "boolean", description: "the CSV holds SHA-256 hashes already; check and pass them on" },
    "default-country": { type: "string", value: "<CC>", description: "country of rows that name none, for phone and address rules", default: "US" },
    "min-rows": { type: "string", value: "<n>", description: "fewest data rows accepted (Amazon's template needs 10,000)", default: fmt(AMAZON_MIN_ROWS) },
    "max-rows": { type: "string", value: "<n>", description: "most data rows accepted", default: fmt(AMAZON_MAX_ROWS) },
    workers: { type: "string", value: "auto|<n>", description: "hashing worker threads", default: "auto" },
    "non-ascii-letters": { type: "string", value: NON_ASCII_MODES.join("|"), description: "what happens to letters outside ASCII in names", default: "aws" },
  },
  exitCodes: { 0: "the hashed CSV is written", 1: "the input has problems (each names its row and column, never a value)", 2: "usage error, or --secret-env names an unset variable" },
} as const satisfies CommandSpec;

/** What the command line asks for. */
export interface HashCsvRequest {
  input: string;
  output: string;
  settings: RecordsSourceSettings;
  /** Environment variable holding the externalId HMAC key (never the key itself on the command line). */
  secretEnv?: string;
  workers: number | "auto";
}

function count(name: string, text: string | undefined, min: number): number | undefined {
  return text === undefined ? undefined : wholeNumber(name, text, min);
}

/** Parses the arguments. Pure. @throws UsageError with a one-line reason */
export function parseHashCsvArgs(args: string[]): HashCsvRequest {
  const { values, positionals } = parseCommandLine(HASH_CSV_COMMAND, args);
  const [input, output] = positionals as [string, string];
  const minRows = count("min-rows", values["min-rows"], 0);
  const maxRows = count("max-rows", values["max-rows"], 1);
  const workers = values.workers === undefined || values.workers === "auto" ? "auto" : count("workers", values.workers, 0);
  const country = values["default-country"];
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country)) throw new UsageError("--default-country must be a two-letter country code");
  const nonAscii = values["non-ascii-letters"];
  if (nonAscii !== undefined && !(NON_ASCII_MODES as readonly string[]).includes(nonAscii)) {
    throw new UsageError(`--non-ascii-letters must be one of ${NON_ASCII_MODES.join(", ")}`);
  }
  return {
    input,
    output,
    settings: {
      csv: input,
      hashed: values.hashed === true,
      ...(values["id-column"] !== undefined ? { idColumn: values["id-column"] } : {}),
      ...(minRows !== undefined ? { minRows } : {}),
      ...(maxRows !== undefined ? { maxRows } : {}),
      ...(country !== undefined ? { defaultCountry: country.toUpperCase() } : {}),
      ...(nonAscii !== undefined ? { nonAsciiLetters: nonAscii as NonAsciiLetters } : {}),
    },
    ...(values["secret-env"] !== undefined ? { secretEnv: values["secret-env"] } : {}),
    workers: workers ?? "auto",
  };
}

/** Rates are whole rows. */
const fmtWhole = (n: number): string => fmt(Math.round(n));

/** "hash-csv: 1,200,000 rows, 98,765 rows/s" */
export function formatProgress(rows: number, elapsedMs: number): string {
  // The shape of the providers' progress lines, without a total: the rows of a CSV are not counted ahead.
  return describeProgress({ label: "hash-csv", unit: "rows" }, { done: rows, elapsedMs });
}

/** "✓ out.csv: 30 records from 30 data rows (raw), 12.3 kB in 0.1 s (300 rows/s)" */
export function formatSummary(output: string, summary: CsvReadSummary, bytes: number, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  return (
    `✓ ${output}: ${fmt(summary.records)} records from ${fmt(summary.dataRows)} data rows (${summary.mode}), ` +
    `${(bytes / 1000).toFixed(1)} kB in ${seconds.toFixed(1)} s (${fmtWhole(summary.dataRows / Math.max(seconds, 0.001))} rows/s)`
  );
}

/** Runs the command; returns the exit code (0 done, 1 input problems, 2 usage). */
export async function hashCsvCommand(args: string[], io: CommandIo = processIo): Promise<number> {
  let request: HashCsvRequest;
  try {
    request = parseHashCsvArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(usageFailure(HASH_CSV_COMMAND, e));
    return 2;
  }
  let externalIdKey: string | undefined;
  if (request.secretEnv !== undefined) {
    externalIdKey = io.env[request.secretEnv];
    if (externalIdKey === undefined || externalIdKey === "") {
      io.err(`hash-csv: environment variable ${request.secretEnv} (--secret-env) is not set\n`);
      return 2;
    }
  }
  const started = io.now();
  let lastShown = started;
  let rows = 0;
  const progress = (final: boolean): void => {
    const now = io.now();
    if (!final && now - lastShown < (io.errIsTty ? 250 : 5000)) return;
    lastShown = now;
    io.err(io.errIsTty ? `\r${formatProgress(rows, now - started)}${final ? "\n" : ""}` : `${formatProgress(rows, now - started)}\n`);
  };
  try {
    const summary = await hashCsvFile(
      readHashedLines(request.settings, { workers: request.workers, ...(externalIdKey !== undefined ? { externalIdKey } : {}) }),
      request.output,
      {
        onProgress: (records) => {
          rows += records;
          progress(false);
        },
      },
    );
    if (io.errIsTty || rows > 0) progress(true);
    io.out(formatSummary(request.output, summary, summary.bytesWritten, io.now() - started));
    return 0;
  } catch (e) {
    // Input errors name file, row and column, never a value; file errors name the path.
    if (!(e instanceof Error)) throw e;
    if (io.errIsTty) io.err("\n");
    io.err(`✗ ${e.message}${needsKeyHint(e) ? "\n  (derive externalIds with --secret-env <VAR>, or name the id column with --id-column)" : ""}\n`);
    return 1;
  }
}

function needsKeyHint(e: Error): boolean {
  return e instanceof PiiInputError && e.issues.some((issue) => issue.code === "header-no-id-basis");
}
