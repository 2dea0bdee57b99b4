/**
 * `dsp-audiences plan-summary`: the I/O shell around the pure summary. Runs `pulumi preview --json`
 * (or reads a saved one), then writes the Markdown and JSON summaries.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parsePreviewJson } from "./preview-json";
import { summarisePreview, type PlanSummary } from "./plan-summary";
import { DEFAULT_MARKER, describeChangesInOneLine, renderPlanMarkdown } from "./render-markdown";

export const PLAN_SUMMARY_USAGE = `usage: dsp-audiences plan-summary [options] [-- <extra pulumi preview arguments>]

Runs \`pulumi preview --json\` and summarises it per audience: metadata fields that change, IDs
added and removed per ID type, replacements, audiences left in DSP, errors such as a missing
snapshot. The Markdown stays under --max-chars however large the change.

  --stack <name>          stack to preview (default: the selected stack); with --from, only the title
  --cwd <dir>             folder with Pulumi.yaml (default: the current folder)
  --from <preview.json>   summarise a saved \`pulumi preview --json\` instead of running one
  --save-preview <file>   also keep the raw preview JSON
  --markdown <file>       write the Markdown there (default: print it)
  --json <file>           write the summary as JSON there
  --title <text>          heading (default: "dsp-audiences plan · <stack>")
  --marker <text>         hidden first line for finding the comment again (default: ${DEFAULT_MARKER})
  --max-chars <n>         size limit of the Markdown (default: 60000)
  --expect-no-changes     exit 1 when anything would change (drift checks)

Exit status: 0 when the preview succeeded, 1 when it failed or (with --expect-no-changes) found
changes, 2 for a usage error. The summaries are written in every case.`;

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

/** Thrown for bad command-line arguments; the message is meant for the user. */
export class UsageError extends Error {
  override name = "UsageError";
}

const VALUE_FLAGS = {
  "--stack": "stack",
  "--cwd": "cwd",
  "--from": "from",
  "--save-preview": "savePreview",
  "--markdown": "markdown",
  "--json": "json",
  "--title": "title",
  "--marker": "marker",
} as const;

/** Parses `plan-summary`'s arguments (pure). */
export function parsePlanSummaryArgs(argv: readonly string[]): PlanSummaryArgs {
  const out: PlanSummaryArgs = { expectNoChanges: false, previewArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.previewArgs = argv.slice(i + 1);
      break;
    }
    if (arg === "--expect-no-changes") {
      out.expectNoChanges = true;
      continue;
    }
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = inline ?? argv[i + 1];
    if (flag === "--max-chars") {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1000) throw new UsageError("--max-chars needs a whole number ≥ 1000");
      out.maxChars = Number(value);
    } else if (flag in VALUE_FLAGS) {
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
      out[VALUE_FLAGS[flag as keyof typeof VALUE_FLAGS]] = value;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
    if (inline === undefined) i++;
  }
  // A saved preview was made with its own arguments; silently ignoring new ones would mislead.
  if (out.from !== undefined && out.previewArgs.length > 0) throw new UsageError("--from reads a saved preview: pulumi arguments after -- do not apply");
  return out;
}

/** What one run of `pulumi preview --json` gave. */
export interface PreviewRun {
  stdout: string;
  stderr: string;
  code: number;
}

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
  return new Promise((resolve, reject) => {
    const child = spawn(env.PULUMI_BIN ?? "pulumi", full, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    // The CLI's own progress and the provider's stderr; shown only when the JSON is unusable.
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => reject(new Error(`could not run pulumi (${e.message}); put the Pulumi CLI on PATH or set PULUMI_BIN`)));
    child.on("close", (code) => resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: code ?? 1 }));
  });
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
      console.error(`dsp-audiences plan-summary: ${error.message}\n\n${PLAN_SUMMARY_USAGE}`);
      return 2;
    }
    throw error;
  }
}
