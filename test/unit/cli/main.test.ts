import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COMMANDS, main } from "../../../provider/cli/main";
import { parseAdoptArgs } from "../../../provider/cli/adopt-command";
import { parseDeleteUsersArgs } from "../../../provider/cli/delete-users-command";
import { parseHashCsvArgs } from "../../../provider/cli/hash-csv-command";
import { initCommand } from "../../../provider/cli/init-command";
import { parsePlanSummaryArgs } from "../../../provider/gitops/plan-summary-command";
import { parseHistoryArgs } from "../../../provider/gitops/history-command";
import { validateCommandLine } from "../../../provider/spec/validate-command";
import { PACKAGE_VERSION } from "../../../provider/version";
import { parseSimulatorArgs } from "../../../simulator/cli";
import { renderHelp, UsageError, type OptionSpec } from "../../../provider/util/command-line";

/** Each command's own parser, as its run calls it. */
const PARSERS: Record<string, (args: string[]) => unknown> = {
  init: (args) => initCommand([...args, path.join(os.tmpdir(), "never-written", "x")], { out: () => undefined, err: () => undefined, env: {}, errIsTty: false, now: () => 0 }, "/nonexistent-template"),
  validate: (args) => validateCommandLine([...args, "/nonexistent/audiences.yaml"], () => undefined),
  adopt: (args) => parseAdoptArgs(args, () => ""),
  "plan-summary": parsePlanSummaryArgs,
  history: parseHistoryArgs,
  "hash-csv": (args) => parseHashCsvArgs(["in.csv", "out.csv", ...args]),
  "delete-users": parseDeleteUsersArgs,
  sim: parseSimulatorArgs,
};

/** The help's option lines: `--name` → the line. */
function helpOptions(help: string): Map<string, string> {
  const section = help.split("\nOptions:\n")[1]?.split("\n\n")[0] ?? "";
  const lines = new Map<string, string>();
  let last: string | undefined;
  for (const line of section.split("\n")) {
    const m = /^\s+(?:-\w, )?--([a-z0-9-]+)/.exec(line);
    if (m) lines.set((last = m[1] as string), line);
    else if (last !== undefined) lines.set(last, `${lines.get(last)} ${line.trim()}`); // a long label's description is on the next line
  }
  return lines;
}

function capture(): { out: string[]; err: string[]; io: { out: (l: string) => void; err: (t: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (t) => err.push(t) } };
}

describe("dsp-audiences (cli/main)", () => {
  it("has a parser for every command, and no other", () => {
    assert.deepEqual(Object.keys(PARSERS).sort(), Object.keys(COMMANDS).sort());
  });

  for (const name of Object.keys(PARSERS)) {
    describe(name, () => {
      it("--help lists every option of its parser's table, with its default and environment variable", async () => {
        const { spec } = await (COMMANDS[name] as () => Promise<{ spec: { options: Record<string, OptionSpec> } & Parameters<typeof renderHelp>[0] }>)();
        const lines = helpOptions(renderHelp(spec));
        assert.deepEqual([...lines.keys()].sort(), [...Object.keys(spec.options), "help"].sort());
        for (const [option, o] of Object.entries(spec.options)) {
          const line = lines.get(option) as string;
          assert.ok(o.description.length > 0 && line.includes(o.description), `${name} --${option}: its description`);
          if (o.default !== undefined) assert.ok(line.includes(`default: ${o.default}`), `${name} --${option}: default ${o.default} in "${line}"`);
          if (o.env !== undefined) assert.ok(line.includes(`env: ${o.env}`), `${name} --${option}: ${o.env} in "${line}"`);
        }
      });

      it("its parser takes every option in the help and refuses any other, naming it", async () => {
        const { spec } = await (COMMANDS[name] as () => Promise<{ spec: { options: Record<string, OptionSpec> } }>)();
        const parse = PARSERS[name] as (args: string[]) => unknown;
        for (const [option, o] of Object.entries(spec.options)) {
          const args = o.type === "string" ? [`--${option}`, "1"] : [`--${option}`];
          try {
            await parse(args);
          } catch (e) {
            assert.doesNotMatch(String(e), /unknown option/, `${name} ${args.join(" ")}`);
          }
        }
        await assert.rejects(async () => parse(["--no-such-option"]), (e: Error) => e instanceof UsageError && e.message === "unknown option '--no-such-option'");
      });
    });
  }

  it("--version prints the package version", async () => {
    const c = capture();
    assert.equal(await main(["--version"], c.io), 0);
    assert.deepEqual(c.out, [PACKAGE_VERSION]);
  });

  it("help <command> and <command> --help print the same help", async () => {
    const a = capture();
    const b = capture();
    assert.equal(await main(["help", "adopt"], a.io), 0);
    assert.equal(await main(["adopt", "--ids-file", "x", "--help"], b.io), 0);
    assert.deepEqual(a.out, b.out);
    assert.match(a.out.join(""), /^usage: dsp-audiences adopt \[options\] \[<audienceId>…\]/);
  });

  it("an unknown command or option is one line with the closest match, exit 2", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["valdate"], /^dsp-audiences: unknown command 'valdate' \(did you mean validate\?\)\n/],
      [["--versoin"], /^dsp-audiences: unknown option '--versoin' \(did you mean --version\?\)\n/],
      [["help", "adoot"], /^dsp-audiences: unknown command 'adoot' \(did you mean adopt\?\)\n/],
      [["validate", "--strict"], /^dsp-audiences validate: unknown option '--strict'\nusage: dsp-audiences validate \[<spec>\]\n\(dsp-audiences help validate lists every option\)\n$/],
      [["sim", "--prot", "1"], /^dsp-audiences sim: unknown option '--prot' \(did you mean --port\?\)\n/],
    ];
    for (const [argv, message] of cases) {
      const c = capture();
      assert.equal(await main(argv, c.io), 2, argv.join(" "));
      assert.match(c.err.join(""), message);
      assert.deepEqual(c.out, []);
    }
  });

  it("with no command, prints the overview to stderr and exits 2; --help prints it to stdout", async () => {
    const none = capture();
    assert.equal(await main([], none.io), 2);
    assert.match(none.err.join(""), /^usage: dsp-audiences <command>/);
    const help = capture();
    assert.equal(await main(["--help"], help.io), 0);
    for (const name of Object.keys(COMMANDS)) assert.match(help.out.join(""), new RegExp(`\n  ${name} +\\S`));
    assert.match(help.out.join(""), /Exit codes[^\n]*\n {2}0 {2}done\n {2}1 {2}.+\n {2}2 {2}usage error/);
  });

  it("the README's command list matches the commands", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
    for (const name of Object.keys(COMMANDS)) assert.ok(readme.includes(`dsp-audiences ${name}`), `README shows dsp-audiences ${name}`);
  });
});
