/**
 * `dsp-audiences plan-summary`: the I/O shell around the pure summary. Runs `pulumi preview --json`
 * (or reads a saved one), then writes the Markdown and JSON summaries.
 */
import * as fs from "fs";
import * as path from "path";
import { parsePreviewJson } from "./preview-json";
import { runPulumi, type PulumiRun } from "./pulumi-process";
import { summarisePreview, type PlanSummary } from "./plan-summary";
import { DEFAULT_MARKER, describeChangesInOneLine, renderPlanMarkdown } from "./render-markdown";
import { parseCommandLine, UsageError, usageFailure, wholeNumber, type CommandSpec } from "../util/command-line";

/** The command's options; its parser and its help. */
export const PLAN_SUMMARY_COMMAND = {
  name: "plan-summary",
  summary: "run `pulumi preview --json` and summarise it per audience as Markdown (< 60,000 chars) and JSON",
  description:
    "Summarises per audience: metadata fields that change, IDs added and removed per ID type, replacements,\n" +
    "audiences left in DSP, errors such as a missing snapshot. The Markdown stays under --max-chars however\n" +
    "large the change. The summaries are written in every case, a failed preview included.",
  arguments: [],
  options: {
    stack: { type: "string", value: "<name>", description: "stack to preview; with --from, only the title", default: "the selected stack" },
    cwd: { type: "string", value: "<dir>", description: "folder with Pulumi.yaml", default: "the current folder" },
    from: { type: "string", value: "<preview.json>", description: "summarise a saved `pulumi preview --json` instead of running one" },
    "save-preview": { type: "string", value: "<file>", description: "also keep the raw preview JSON" },
    markdown: { type: "string", value: "<file>", description: "write the Markdown there", default: "print it" },
    json: { type: "string", value: "<file>", description: "write the summary as JSON there", default: "not written" },
    title: { type: "string", value: "<text>", description: "heading", default: '"dsp-audiences plan · <stack>"' },
    marker: { type: "string", value: "<text>", description: "hidden first line for finding the comment again", default: DEFAULT_MARKER },
    "max-chars": { type: "string", value: "<n>", description: "size limit of the Markdown, at least 1,000", default: "60000" },
    "expect-no-changes": { type: "boolean", description: "exit 1 when anything would change (drift checks)" },
  },
  passThrough: "extra pulumi preview arguments",
  environment: { PULUMI_BIN: "the Pulumi CLI to run (default: pulumi on PATH)" },
  exitCodes: {
    0: "the preview succeeded (and, with --expect-no-changes, found nothing to change)",
    1: "the preview failed, or --expect-no-changes found changes",
    2: "usage error",
  },
} as const satisfies CommandSpec;

/** Parsed arguments of `plan-summary`. */
export interface PlanSummaryArgs {
  stack?: string;
  cwd?: string;
  from?: string;
  savePreview?: string;
  markdown?: string;
  json?: string;
  title?: string;
  marker?: string;
  maxChars?: number;
  expectNoChanges: boolean;
  /** Everything after `--`, passed to `pulumi preview`. */
  previewArgs: string[];
}

export { UsageError };

/** Parses `plan-summary`'s arguments (pure). @throws UsageError */
export function parsePlanSummaryArgs(argv: readonly string[]): PlanSummaryArgs {
  const { values, passThrough } = parseCommandLine(PLAN_SUMMARY_COMMAND, argv);
  const maxChars = values["max-chars"] === undefined ? undefined : wholeNumber("max-chars", values["max-chars"], 1000);
  // A saved preview was made with its own arguments; silently ignoring new ones would mislead.
  if (values.from !== undefined && passThrough.length > 0) throw new UsageError("--from reads a saved preview: pulumi arguments after -- do not apply");
  return {
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    ...(values.cwd !== undefined ? { cwd: values.cwd } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
    ...(values["save-preview"] !== undefined ? { savePreview: values["save-preview"] } : {}),
    ...(values.markdown !== undefined ? { markdown: values.markdown } : {}),
    ...(values.json !== undefined ? { json: values.json } : {}),
    ...(values.title !== undefined ? { title: values.title } : {}),
    ...(values.marker !== undefined ? { marker: values.marker } : {}),
    ...(maxChars !== undefined ? { maxChars } : {}),
    expectNoChanges: values["expect-no-changes"] === true,
    previewArgs: passThrough,
  };
}

/** What one run of `pulumi preview --json` gave. */
export type PreviewRun = PulumiRun;

/** Runs `pulumi preview --json --non-interactive` with the user's environment (CLI from PATH, or PULUMI_BIN). */
export function runPulumiPreview(args: PlanSummaryArgs, env: NodeJS.ProcessEnv = process.env): Promise<PreviewRun> {
  const full = [
    "preview",
    "--json",
    "--non-interactive",
    ...(args.stack === undefined ? [] : ["--stack", args.stack]),
    ...(args.cwd === undefined ? [] : ["--cwd", args.cwd]),
    ...(args.expectNoChanges ? ["--expect-no-changes"] : []),
    ...args.previewArgs,
  ];
  return runPulumi(full, env);
}

/** The outcome of {@link planSummaryCommand}. */
export interface PlanSummaryResult {
  summary: PlanSummary;
  markdown: string;
  exitCode: number;
}

/** I/O seams of the command, for tests. */
export interface PlanSummaryIo {
  preview(args: PlanSummaryArgs): Promise<PreviewRun>;
  print(text: string): void;
  warn(text: string): void;
}

const defaultIo: PlanSummaryIo = {
  preview: (args) => runPulumiPreview(args),
  print: (text) => process.stdout.write(text),
  warn: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Runs (or reads) the preview and writes the summaries; never throws for a failed preview, only for unusable output. */
export async function planSummaryCommand(argv: readonly string[], io: PlanSummaryIo = defaultIo): Promise<PlanSummaryResult> {
  const args = parsePlanSummaryArgs(argv);
  let text: string;
  let previewCode = 0;
  if (args.from !== undefined) {
    text = fs.readFileSync(args.from, "utf8");
  } else {
    const run = await io.preview(args);
    text = run.stdout;
    previewCode = run.code;
    if (args.savePreview !== undefined) write(args.savePreview, text);
    if (text.trim() === "") {
      // No JSON at all: the CLI failed before previewing (no stack, no login). Its stderr says why.
      throw new Error(`pulumi preview exited ${run.code} without JSON output:\n${run.stderr.trim().split("\n").slice(-20).join("\n")}`);
    }
  }
  const summary = summarisePreview(parsePreviewJson(text), args.stack === undefined ? {} : { stack: args.stack });
  const markdown = renderPlanMarkdown(summary, {
    ...(args.maxChars === undefined ? {} : { maxChars: args.maxChars }),
    ...(args.title === undefined ? {} : { title: args.title }),
    ...(args.marker === undefined ? {} : { marker: args.marker }),
  });
  if (args.markdown !== undefined) write(args.markdown, markdown);
  else io.print(markdown);
  if (args.json !== undefined) write(args.json, JSON.stringify(summary, null, 2) + "\n");
  // A non-zero exit without an error diagnostic (e.g. --expect-no-changes) still fails the run.
  const failed = summary.failed || previewCode !== 0 || (args.expectNoChanges && summary.hasChanges);
  if (summary.failed) io.warn(`plan-summary: the preview failed: ${describeChangesInOneLine(summary)}`);
  else if (args.expectNoChanges && summary.hasChanges) io.warn(`plan-summary: changes found where none were expected: ${describeChangesInOneLine(summary)}`);
  else if (previewCode !== 0) io.warn(`plan-summary: pulumi preview exited ${previewCode}`);
  return { summary, markdown, exitCode: failed ? 1 : 0 };
}

/** Entry point of the `plan-summary` subcommand. */
export async function runPlanSummaryCli(argv: readonly string[]): Promise<number> {
  try {
    return (await planSummaryCommand(argv)).exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(usageFailure(PLAN_SUMMARY_COMMAND, error));
      return 2;
    }
    throw error;
  }
}
