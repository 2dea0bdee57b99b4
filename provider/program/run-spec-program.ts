/**
 * The Pulumi program: reads the spec named by `dsp:spec` (default `audiences.yaml`), reads every
 * ID file and records CSV it names, and declares its resources. An input error (the spec, an ID
 * file line, a CSV row, a missing file) stops the program before any resource is declared, with
 * one diagnostic per problem and no stack trace; `DSP_AUDIENCES_DEBUG=1` rethrows the original
 * error instead, stack and all.
 */
import * as pulumi from "@pulumi/pulumi";
import { reassertToken } from "../membership/reassert-token";
import type { BuiltSet } from "../plan";
import type { RecordSets } from "../customer-records/records-source";
import { loadSpec, type LoadedSpec } from "../spec";
import { declareSpec, type DeclaredAudience } from "./declare-spec";
import { recordCatalog } from "./record-catalog";
import { readMemberSources, type LeftOut } from "./member-sources";
import type { Removals } from "./removal-lists";
import { describeInputFailures, type InputFailure } from "./input-diagnostics";
import { debugging } from "../util/debug";
import { mapOwnStackTracesWhenDebugging } from "../util/own-source-maps";
import { suspendStacksForProgramRun } from "../resources/promise-stacks";

mapOwnStackTracesWhenDebugging();
import { settingsOf } from "./records";

/** The stack outputs. */
export interface SpecProgramOutputs {
  audiences: Record<string, DeclaredAudience>;
}

/** The stack config the program reads (`dsp:spec`, `dsp:reassert`). */
export type SpecProgramConfig = Pick<pulumi.Config, "get">;

/** Options of {@link declareSpecFile}. */
export interface DeclareSpecFileOptions {
  /** Re-sends every membership's whole desired set once per distinct value (`dsp:reassert`). @default none */
  reassert?: string;
}

/**
 * The library's spec entry point: loads the spec at `specPath` (relative to the program's
 * folder), reads every ID file and records CSV it names, and declares its resources, as the
 * project's own program does. An input error stops the program before any resource is declared,
 * with one diagnostic per problem and no stack trace.
 * @returns the declared audiences by spec key
 * @throws pulumi.RunError (printed by the SDK as its message only) when an input is wrong
 */
export async function declareSpecFile(specPath: string, options: DeclareSpecFileOptions = {}): Promise<Record<string, DeclaredAudience>> {
  let spec: LoadedSpec;
  let inputs: SpecInputs;
  try {
    spec = await loadSpec(specPath);
  } catch (error) {
    throw await reported([{ context: "", error: specFileError(error, specPath) }], specPath);
  }
  try {
    inputs = await readSpecInputs(spec);
  } catch (error) {
    throw await reported([{ context: "", error }], specPath);
  }
  if (inputs.failures.length > 0) throw await reported(inputs.failures, specPath);
  // A new reassert value re-asserts once; settings.reassertAfterDays also once per N-day period.
  const reassert = reassertToken({ manual: options.reassert, everyDays: spec.settings.reassertAfterDays });
  await recordCatalog(spec.audiences.map((a) => a.key));
  return declareSpec(spec, {
    memberSets: inputs.memberSets,
    recordSets: inputs.recordSets,
    leftOut: inputs.leftOut,
    removals: inputs.removals,
    ...(reassert === undefined ? {} : { reassertToken: reassert }),
  });
}

/**
 * Runs the spec program; `index.ts` exports its result.
 * @param config the `dsp` namespace of the stack config: `spec` (default `audiences.yaml`), `reassert`
 * @throws pulumi.RunError (printed by the SDK as its message only) when an input is wrong
 */
export async function runSpecProgram(config: SpecProgramConfig = new pulumi.Config("dsp")): Promise<SpecProgramOutputs> {
  suspendStacksForProgramRun();
  const reassert = config.get("reassert");
  return { audiences: await declareSpecFile(config.get("spec") ?? "audiences.yaml", reassert === undefined ? {} : { reassert }) };
}

/** A spec file that cannot be read says so in words; other errors stay as they are. */
function specFileError(error: unknown, specPath: string): unknown {
  if (!(error instanceof Error) || !("code" in error) || typeof error.code !== "string") return error;
  const why = error.code === "ENOENT" ? "not found" : `cannot be read (${error.code})`;
  return new Error(`${specPath}: spec file ${why}; dsp:spec names it, relative to the program's folder ${process.cwd()}`);
}

interface SpecInputs {
  memberSets: Map<string, BuiltSet>;
  recordSets: Map<string, RecordSets>;
  leftOut: Map<string, LeftOut>;
  removals: Map<string, Removals>;
  failures: InputFailure[];
}

/**
 * Reads every ID source (files, CSV and Parquet columns, SQL queries, exclusions, suppression)
 * and records CSV of the spec, all of them even when some fail; failures in spec order.
 */
async function readSpecInputs(spec: LoadedSpec): Promise<SpecInputs> {
  const recordSets = new Map<string, RecordSets>();
  const sources = readMemberSources(spec);
  const reads: Array<Promise<InputFailure | undefined>> = [];
  if (spec.records.length > 0) {
    // Loaded only for a spec with customer data: the CSV reader and the PII code are a fifth of the program's modules.
    const { readRecordsInProgram, uploadSettings } = require("../customer-records/hashed-record-upload") as typeof import("../customer-records/hashed-record-upload");
    for (const source of spec.records) {
      reads.push(
        readRecordsInProgram(uploadSettings(settingsOf(source)), source.key).then(
          (sets) => void recordSets.set(source.key, sets),
          // The reader prefixes its messages with the label; the cause is the error itself.
          (error: unknown) => ({ context: `records ${source.key}`, error: error instanceof Error && error.cause !== undefined ? error.cause : error }),
        ),
      );
    }
  }
  const { memberSets, leftOut, removals, failures: sourceFailures } = await sources;
  const failures = [...sourceFailures, ...(await Promise.all(reads)).filter((failure): failure is InputFailure => failure !== undefined)];
  return { memberSets, recordSets, leftOut, removals, failures };
}

/**
 * Logs one error diagnostic per problem and returns the RunError that ends the program (the SDK
 * prints a RunError as its message, without "unhandled exception" or a stack). With
 * DSP_AUDIENCES_DEBUG=1 the first original error is returned instead, to be printed with its stack.
 */
async function reported(failures: readonly InputFailure[], specPath: string): Promise<unknown> {
  if (debugging()) return failures[0]?.error;
  const { lines, problems, unexpected } = describeInputFailures(failures, process.cwd());
  for (const line of lines) await pulumi.log.error(line);
  const what = unexpected ? "an unexpected error" : `${problems.toLocaleString("en-US")} input error${problems === 1 ? "" : "s"}`;
  return new pulumi.RunError(`${specPath}: stopped by ${what} (above); nothing was changed`);
}
