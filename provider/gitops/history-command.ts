/**
 * `dsp-audiences history`: the I/O shell around history-reading.ts and the pure report. Finds the
 * stack's audiences with `pulumi stack export`, its snapshot store from `pulumi config --json` as
 * the providers do (dsp:snapshotStore, dsp:snapshotDir, else beside the state backend), and prints
 * the history as Markdown or JSON.
 */
import * as path from "node:path";
import { ID_TYPE_ALTERNATION, ID_TYPES_IN_WORDS, isIdType } from "../api-vocabulary";
import { openSnapshotStore, parseSnapshotUrl, resolveSnapshotLocation, type SnapshotLocation } from "../config/snapshot-location";
import { closestMatch, parseCommandLine, UsageError, wholeNumber, type CommandSpec } from "../util/command-line";
import { historyReport, idFormsOf, readMembershipHistories, type HistoryQuery } from "./history-reading";
import { runPulumi, type PulumiRun } from "./pulumi-process";
import { renderHistoryMarkdown } from "./render-history";
import { parseStackConfig, parseStackExport, type StackResources } from "./stack-export";

/** The command's options; its parser and its help. */
export const HISTORY_COMMAND = {
  name: "history",
  summary: "each sync of the stack's memberships (time, +N −M, re-sends, request ids), or when one ID was added and removed",
  description:
    "Reads the sync records the stack's `pulumi up`s wrote beside its snapshots (found as `pulumi up` finds\n" +
    "them: dsp:snapshotStore, dsp:snapshotDir, else beside the state backend), for as long as the history\n" +
    "retention keeps them (settings.historyRetentionDays, else dsp:historyRetentionDays, else 90 days).\n" +
    "With --id, says in which syncs that ID was added to or removed from each membership, and the request\n" +
    "ids of those syncs; the ID is matched as the sets hold it (MAID in lower case, COOKIE and\n" +
    "EXTERNAL_USER_ID as written; for records, the externalId) and is never printed.",
  arguments: [],
  options: {
    stack: { type: "string", value: "<name>", description: "the stack whose history to show", default: "the selected stack" },
    cwd: { type: "string", value: "<dir>", description: "folder with Pulumi.yaml", default: "the current folder" },
    "config-file": { type: "string", value: "<file>", description: "the stack's config file, as `pulumi --config-file`", default: "Pulumi.<stack>.yaml" },
    membership: { type: "string", value: "<key>/<TYPE>", description: `only this membership: its spec key and ID type (${ID_TYPE_ALTERNATION})`, default: "every membership" },
    id: { type: "string", value: "<value>", description: "when this ID was added and removed (never printed)" },
    last: { type: "string", value: "<n>", description: "only the newest n syncs of each membership", default: "every sync kept" },
    store: { type: "string", value: "<url>", description: "read the sync records there (file://<folder>, a folder, or s3://<bucket>/<prefix>?…)", default: "where the stack's settings put them" },
    json: { type: "boolean", description: "print the report as JSON instead of Markdown" },
  },
  environment: {
    PULUMI_BIN: "the Pulumi CLI to run (default: pulumi on PATH)",
    "DSP_SNAPSHOT_STORE, DSP_SNAPSHOT_DIR": "where the snapshots are when the stack's config does not say (as for pulumi up)",
  },
  exitCodes: {
    0: "the history was printed",
    1: "the stack or its sync records could not be read",
    2: "usage error, or no such membership in the stack",
  },
} as const satisfies CommandSpec;

/** Parsed arguments of `history`. */
export interface HistoryArgs extends Omit<HistoryQuery, "stack"> {
  stack?: string;
  cwd?: string;
  configFile?: string;
  store?: string;
  json: boolean;
}

/** Parses `history`'s arguments (pure). @throws UsageError */
export function parseHistoryArgs(argv: readonly string[]): HistoryArgs {
  const { values } = parseCommandLine(HISTORY_COMMAND, argv);
  let membership: HistoryQuery["membership"];
  if (values.membership !== undefined) {
    const m = /^([^/]+)\/([^/]+)$/.exec(values.membership);
    if (m === null || !isIdType(m[2])) throw new UsageError(`--membership must be <key>/<TYPE> with TYPE ${ID_TYPES_IN_WORDS}, e.g. loyal-customers/COOKIE`);
    membership = { key: m[1] as string, idType: m[2] };
  }
  if (values.id !== undefined && idFormsOf(values.id).size === 0) throw new UsageError(`--id is not a valid ${ID_TYPES_IN_WORDS} (the value is not repeated here)`);
  return {
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    ...(values.cwd !== undefined ? { cwd: values.cwd } : {}),
    ...(values["config-file"] !== undefined ? { configFile: values["config-file"] } : {}),
    ...(membership !== undefined ? { membership } : {}),
    ...(values.id !== undefined ? { id: values.id } : {}),
    ...(values.last !== undefined ? { last: wholeNumber("last", values.last, 1) } : {}),
    ...(values.store !== undefined ? { store: values.store } : {}),
    json: values.json === true,
  };
}

/** I/O seams of the command, for tests. */
export interface HistoryIo {
  pulumi(args: readonly string[]): Promise<PulumiRun>;
  print(text: string): void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: HistoryIo = {
  pulumi: (args) => runPulumi([...args, "--non-interactive"]),
  print: (text) => process.stdout.write(text),
  env: process.env,
};

/** Thrown when the stack or its records cannot be read (exit 1); the message is meant for the user. */
export class HistoryUnavailableError extends Error {
  override name = "HistoryUnavailableError";
}

async function mustRun(io: HistoryIo, args: readonly string[]): Promise<string> {
  const run = await io.pulumi(args);
  if (run.code !== 0) throw new HistoryUnavailableError(`pulumi ${args.join(" ")} exited ${run.code}:\n${run.stderr.trim().split("\n").slice(-10).join("\n")}`);
  return run.stdout;
}

/** `--store`: a URL, or a plain folder. */
function storeLocation(raw: string, programDir: string): SnapshotLocation {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? parseSnapshotUrl(raw, programDir) : { scheme: "file", dir: path.resolve(programDir, raw) };
}

/** Where the stack's snapshots are: `--store`, else as the providers resolve it from the stack's config. */
async function locate(args: HistoryArgs, io: HistoryIo, common: readonly string[], programDir: string): Promise<SnapshotLocation> {
  if (args.store !== undefined) return storeLocation(args.store, programDir);
  const config = parseStackConfig(await mustRun(io, ["config", "--json", ...common, ...(args.configFile === undefined ? [] : ["--config-file", args.configFile])]));
  return resolveSnapshotLocation(config, programDir, io.env).location;
}

/** A --membership the stack does not have: a usage error naming the closest one. */
function unknownMembership(wanted: NonNullable<HistoryQuery["membership"]>, known: readonly string[]): UsageError {
  const near = closestMatch(`${wanted.key}/${wanted.idType}`, known);
  const list = known.length === 0 ? "the stack has no membership with a sync record" : `memberships with a sync record: ${known.join(", ")}`;
  return new UsageError(`no membership ${wanted.key}/${wanted.idType} in this stack${near === undefined ? "" : ` (did you mean ${near}?)`}; ${list}`);
}

/** Runs the command; returns the exit code. @throws UsageError, HistoryUnavailableError */
export async function historyCommand(argv: readonly string[], io: HistoryIo = defaultIo): Promise<number> {
  const args = parseHistoryArgs(argv);
  const programDir = path.resolve(args.cwd ?? ".");
  const common = [...(args.stack === undefined ? [] : ["--stack", args.stack]), "--cwd", programDir];
  let stack: StackResources;
  try {
    stack = parseStackExport(await mustRun(io, ["stack", "export", ...common]));
  } catch (error) {
    throw error instanceof HistoryUnavailableError ? error : new HistoryUnavailableError((error as Error).message);
  }
  const store = openSnapshotStore(await locate(args, io, common, programDir));
  if (args.membership !== undefined) {
    const known = (await readMembershipHistories(store, stack)).map((s) => `${s.key}/${s.idType}`);
    if (!known.includes(`${args.membership.key}/${args.membership.idType}`)) throw unknownMembership(args.membership, known);
  }
  const report = await historyReport(store, stack, {
    ...(args.membership === undefined ? {} : { membership: args.membership }),
    ...(args.id === undefined ? {} : { id: args.id }),
    ...(args.last === undefined ? {} : { last: args.last }),
    ...(args.stack === undefined ? {} : { stack: args.stack }),
  });
  io.print(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderHistoryMarkdown(report));
  return 0;
}

/** Entry point of the `history` subcommand: usage errors go to main; an unreadable stack or store is exit 1. */
export async function runHistoryCli(argv: readonly string[]): Promise<number> {
  try {
    return await historyCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    process.stderr.write(`dsp-audiences history: ${(error as Error).message}\n`);
    return 1;
  }
}
