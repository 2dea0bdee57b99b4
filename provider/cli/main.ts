/**
 * The `dsp-audiences` command. Each subcommand lives in its own module and is loaded only when
 * it runs (or its help is asked for), so `dsp-audiences validate` starts fast and never loads the
 * HTTP client. Every subcommand parses its arguments from one option table (util/command-line),
 * which also writes its help.
 */
import { closestMatch, renderHelp, UsageError, usageFailure, type CommandSpec } from "../util/command-line";
import { processIo, type CommandIo } from "./command-io";

/** A subcommand: its table (for help) and how to run it. */
export interface Command {
  spec: CommandSpec;
  /** @returns the exit code; @throws UsageError for arguments it cannot take */
  run(args: string[]): Promise<number>;
}

/** Every subcommand by name, loaded on demand. */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  init: async () => {
    const m = await import("./init-command");
    return { spec: m.INIT_COMMAND, run: (args) => m.initCommand(args) };
  },
  validate: async () => {
    const m = await import("../spec/validate-command");
    const { checkDuckDbQueries } = await import("../sources/query-check");
    return { spec: m.VALIDATE_COMMAND, run: (args) => m.validateCommandLine(args, (line) => processIo.out(line), { checkQueries: checkDuckDbQueries }) };
  },
  adopt: async () => {
    const m = await import("./adopt-command");
    return { spec: m.ADOPT_COMMAND, run: (args) => m.adoptCommand(args) };
  },
  "plan-summary": async () => {
    const m = await import("../gitops/plan-summary-command");
    return { spec: m.PLAN_SUMMARY_COMMAND, run: (args) => m.runPlanSummaryCli(args) };
  },
  history: async () => {
    const m = await import("../gitops/history-command");
    return { spec: m.HISTORY_COMMAND, run: (args) => m.runHistoryCli(args) };
  },
  "hash-csv": async () => {
    const m = await import("./hash-csv-command");
    return { spec: m.HASH_CSV_COMMAND, run: (args) => m.hashCsvCommand(args) };
  },
  "delete-users": async () => {
    const m = await import("./delete-users-command");
    return { spec: m.DELETE_USERS_COMMAND, run: (args) => m.deleteUsersCommand(args) };
  },
  sim: async () => {
    const m = await import("../../simulator/cli");
    return {
      spec: m.SIMULATOR_COMMAND,
      run: async (args) => {
        await m.runSimulatorCli(args);
        return 0;
      },
    };
  },
};

/** The exit codes every command shares; each command's help lists its own. */
export const EXIT_CODES = {
  ok: 0,
  /** The command ran and found a problem: an invalid spec, a failed request, changes where none were expected. */
  failed: 1,
  /** The command line or an input could not be used: nothing was done. */
  usage: 2,
} as const;

async function version(): Promise<string> {
  return (await import("../version")).PACKAGE_VERSION;
}

/** The list of commands, the global options and the exit codes. */
export async function overview(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec));
  const width = Math.max(...specs.map((s) => s.name.length));
  return [
    "usage: dsp-audiences <command> [options]",
    "",
    "Amazon DSP data-provider audiences from a YAML spec, with Pulumi.",
    "",
    "Commands:",
    ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    "",
    "Options:",
    "  -h, --help     this overview; `dsp-audiences help <command>` or `<command> --help` for a command's options",
    "  -v, --version  the package version",
    "",
    "Exit codes (each command's help says what they mean for it):",
    "  0  done",
    "  1  the command ran and found a problem (an invalid spec, a failed request, changes where none were expected)",
    "  2  usage error (an unknown command or option, a missing or bad value): nothing was done",
  ].join("\n");
}

function unknownCommand(name: string): string {
  if (name.startsWith("-")) {
    const near = closestMatch(name.replace(/^-+/, ""), ["help", "version"]);
    return `dsp-audiences: unknown option '${name}'${near === undefined ? "" : ` (did you mean --${near}?)`}\n(dsp-audiences --help lists the commands)\n`;
  }
  const near = closestMatch(name, Object.keys(COMMANDS));
  return `dsp-audiences: unknown command '${name}'${near === undefined ? "" : ` (did you mean ${near}?)`}\n(dsp-audiences --help lists the commands)\n`;
}

/** Runs `dsp-audiences <argv>`; returns the exit code. */
export async function main(argv: string[], io: Pick<CommandIo, "out" | "err"> = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    io.out(await version());
    return EXIT_CODES.ok;
  }
  if (name === undefined) {
    io.err(`${await overview()}\n`);
    return EXIT_CODES.usage;
  }
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    io.out(await overview());
    return EXIT_CODES.ok;
  }
  if (name === "help") {
    const topic = rest[0] as string;
    const load = COMMANDS[topic];
    if (load === undefined || rest.length > 1) {
      io.err(load === undefined ? unknownCommand(topic) : "dsp-audiences help: takes one command name\n");
      return EXIT_CODES.usage;
    }
    io.out(renderHelp((await load()).spec));
    return EXIT_CODES.ok;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    io.err(unknownCommand(name));
    return EXIT_CODES.usage;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    const cut = rest.indexOf("--");
    if (cut < 0 || rest.slice(0, cut).some((a) => a === "--help" || a === "-h")) {
      io.out(renderHelp(command.spec));
      return EXIT_CODES.ok;
    }
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(usageFailure(command.spec, error));
    return EXIT_CODES.usage;
  }
}
