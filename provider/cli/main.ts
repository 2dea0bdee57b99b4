/**
 * The `dsp-audiences` command. Each subcommand lives in its own module and is loaded only when
 * it runs, so `dsp-audiences validate` starts fast and never loads the HTTP client.
 */

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  validate: {
    summary: "check a spec (schema, IDs, files, SQL statements) without touching any API or running any query",
    usage: "dsp-audiences validate [audiences.yaml]",
    run: async (args) => {
      const { validateSpecCommand } = await import("../spec/validate-command");
      const { checkDuckDbQueries } = await import("../sources/query-check");
      return validateSpecCommand(args[0] ?? "audiences.yaml", (line) => console.log(line), { checkQueries: checkDuckDbQueries });
    },
  },
  "hash-csv": {
    summary: "normalise and hash a CSV of people into a hashed CSV (external_id + SHA-256 columns), locally",
    usage: "dsp-audiences hash-csv <in.csv> <out.csv> [--id-column c] [--secret-env VAR] [--default-country US] [--min-rows N --max-rows N]",
    run: async (args) => (await import("./hash-csv-command")).hashCsvCommand(args),
  },
  "delete-users": {
    summary: "ask Amazon to delete users' data now (PATCH /v2/dp/users); prints the requestIds",
    usage: "dsp-audiences delete-users --type EXTERNAL_USER_ID --value X [--file ids.txt] [--advertiser-id N] [--consent-time ISO] [--endpoint URL]",
    run: async (args) => (await import("./delete-users-command")).deleteUsersCommand(args),
  },
  sim: {
    summary: "start the local DSP API simulator (prints its URL and credentials)",
    usage: "dsp-audiences sim [--port 0] [--data <dir>] [--token-ttl <s>] [--rate429 <0..1>] [--rate5xx <0..1>]",
    run: async (args) => {
      const { runSimulatorCli } = await import("../../simulator/cli");
      await runSimulatorCli(args);
      return 0;
    },
  },
  "plan-summary": {
    summary: "run `pulumi preview --json` and summarise it per audience as Markdown (< 60,000 chars) and JSON",
    usage: "dsp-audiences plan-summary [--stack S] [--cwd DIR] [--from preview.json] [--markdown out.md] [--json out.json] [--expect-no-changes] [-- pulumi args]",
    run: async (args) => {
      const { runPlanSummaryCli } = await import("../gitops/plan-summary-command");
      return runPlanSummaryCli(args);
    },
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ["usage: dsp-audiences <command> [args]", "", "commands:", ...lines].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(help());
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`dsp-audiences: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help")) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest);
}
