import { strict as assert } from "node:assert";
import { closestMatch, editDistance, parseCommandLine, renderHelp, synopsis, UsageError, type CommandSpec } from "../../../provider/util/command-line";

const SPEC = {
  name: "demo",
  summary: "a command for the tests",
  arguments: [{ name: "spec", description: "the spec", default: "audiences.yaml" }],
  options: {
    stack: { type: "string", value: "<name>", description: "the stack", default: "the selected stack", env: "DEMO_STACK" },
    value: { type: "string", value: "<id>", multiple: true, description: "an ID" },
    verbose: { type: "boolean", short: "V", description: "say more" },
  },
  passThrough: "pulumi arguments",
  exitCodes: { 0: "done", 1: "failed" },
} as const satisfies CommandSpec;

describe("util/command-line", () => {
  it("parses options, positionals and what follows --", () => {
    const parsed = parseCommandLine(SPEC, ["--stack", "prod", "-V", "x.yaml", "--value=a", "--value", "b", "--", "--diff", "y"]);
    assert.deepEqual(parsed, { values: { stack: "prod", verbose: true, value: ["a", "b"] }, positionals: ["x.yaml"], passThrough: ["--diff", "y"], help: false });
  });

  it("takes a value that starts with '-' unless it is one of the command's options", () => {
    assert.deepEqual(parseCommandLine(SPEC, ["--value", "-BfQ_9", "--value", "--x"]).values.value, ["-BfQ_9", "--x"]);
    assert.throws(() => parseCommandLine(SPEC, ["--stack", "--verbose"]), /^UsageError: --stack needs a value$/);
    assert.throws(() => parseCommandLine(SPEC, ["--stack", "-V"]), /--stack needs a value/);
  });

  const bad: Array<[string[], RegExp]> = [
    [["--stak", "prod"], /^UsageError: unknown option '--stak' \(did you mean --stack\?\)$/],
    [["--zzzzzz"], /^UsageError: unknown option '--zzzzzz'$/],
    [["-x"], /^UsageError: unknown option '-x'$/],
    [["--stack"], /^UsageError: --stack needs a value$/],
    [["--verbose=yes"], /^UsageError: --verbose takes no value$/],
    [["--stack", "a", "--stack", "b"], /^UsageError: --stack is given twice; it takes one value$/],
    [["a.yaml", "b.yaml"], /^UsageError: expected at most 1 argument \(<spec>\), got 2$/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${args.join(" ")} with one line`, () => assert.throws(() => parseCommandLine(SPEC, args), (e: Error) => e instanceof UsageError && message.test(`${e.name}: ${e.message}`)));
  }

  it("never echoes a positional it refuses", () => {
    const spec = { ...SPEC, arguments: [] };
    assert.throws(() => parseCommandLine(spec, ["secret-looking-value"]), (e: Error) => /takes none/.test(e.message) && !e.message.includes("secret-looking"));
  });

  it("answers --help or -h whatever else is there, and only before --", () => {
    assert.equal(parseCommandLine(SPEC, ["--nope", "--help"]).help, true);
    assert.equal(parseCommandLine(SPEC, ["-h"]).help, true);
    assert.equal(parseCommandLine(SPEC, ["--", "--help"]).help, false);
  });

  it("suggests the closest name only when it is close", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(closestMatch("valdate", ["validate", "adopt"]), "validate");
    assert.equal(closestMatch("hash", ["hash-csv", "sim"]), "hash-csv");
    assert.equal(closestMatch("frobnicate", ["validate", "adopt", "sim"]), undefined);
  });

  it("writes the help from the table: usage, arguments, each option with its default and variable, exit codes", () => {
    const help = renderHelp(SPEC);
    assert.equal(synopsis(SPEC), "dsp-audiences demo [options] [<spec>] [-- <pulumi arguments>]");
    assert.match(help, /^usage: dsp-audiences demo \[options\] \[<spec>\] \[-- <pulumi arguments>\]\n\na command for the tests\n/);
    assert.match(help, /\n {2}<spec> +the spec \(default: audiences\.yaml\)\n/);
    assert.match(help, /\n {6}--stack <name> +the stack \(default: the selected stack; env: DEMO_STACK\)\n/);
    assert.match(help, /\n {6}--value <id> +an ID \(repeatable\)\n/);
    assert.match(help, /\n {2}-V, --verbose +say more\n/);
    assert.match(help, /\n {2}-h, --help +show this help\n/);
    assert.match(help, /Exit codes:\n {2}0 +done\n {2}1 +failed\n {2}2 +usage error/);
  });
});
