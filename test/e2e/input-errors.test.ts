import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiResult } from "../../tools/pulumi-cli";
import { cookieIds } from "../support/synthetic-ids";
import { startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";

const HEAD = ["version: 1", "defaults:", '  advertiserId: "5840142710901"', "  dataSourceCountry: [US]", "audiences:", "  loyal-customers:", "    name: Loyal customers 2026"];

/**
 * One `pulumi preview --color never` per kind of input error, through the real CLI: each must fail
 * with its file:line:column message and nothing else a user would have to wade through.
 */
describe("input errors through pulumi preview: one clean message each, no stack trace (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  let env: SimulatedStack;
  let dir: string;
  let outside: string;

  /** Writes `name` into the spec folder and returns its path. */
  function write(name: string, content: string | Buffer): string {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  }

  async function previewOf(specFile: string): Promise<PulumiResult> {
    await env.run((s) => s.setConfig("dsp:spec", specFile));
    return env.run((s) => s.preview());
  }

  /** Non-zero exit, `expected` in the output, and none of the noise issue 12 found. */
  function assertCleanFailure(r: PulumiResult, expected: string): void {
    const out = `${r.stdout}\n${r.stderr}`;
    assert.notEqual(r.code, 0, `preview should fail:\n${out}`);
    assert.ok(out.includes(expected), `expected ${JSON.stringify(expected)} in:\n${out}`);
    assert.doesNotMatch(out, /\n\s+at /, `a stack trace in:\n${out}`);
    assert.doesNotMatch(out, /unhandled exception/i, out);
    assert.doesNotMatch(out, /PromiseRejectionHandledWarning/, out);
    assert.ok(!out.includes("\x1b["), `ANSI escape codes in:\n${out}`);
    assert.doesNotMatch(out, /\{\s*\n\s+\w+: /, `an object dump in:\n${out}`);
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-input-errors-"));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-outside-"));
    const valid = write("valid.yaml", `${HEAD.join("\n")}\n`);
    env = await startSimulatedStack(valid, "inputerrors");
  });
  after(async () => {
    await env?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it("a schema error: ttl out of range", async () => {
    const spec = write("ttl.yaml", `${[...HEAD, "    ttl: 99999999"].join("\n")}\n`);
    assertCleanFailure(await previewOf(spec), `${spec}:8:10: audiences.loyal-customers.ttl: must be at most 34300800, got 99999999`);
  });

  it("an int64 written as a float", async () => {
    const spec = write("float.yaml", `${[...HEAD, "    advertiserId: 9007199254740993.0"].join("\n")}\n`);
    assertCleanFailure(await previewOf(spec), `${spec}:8:19: audiences.loyal-customers.advertiserId: must be written as plain decimal digits, got a floating-point number`);
  });

  it("a spec that is not UTF-8", async () => {
    const spec = write("latin1.yaml", Buffer.concat([Buffer.from(`${HEAD.join("\n")}\n    description: Caf`), Buffer.from([0xe9]), Buffer.from("\n")]));
    assertCleanFailure(await previewOf(spec), `${spec}:8:21: not valid UTF-8; save the spec as UTF-8`);
  });

  it("bad lines in an ID file", async () => {
    const ids = cookieIds(3, 31);
    write("ids/cookies.txt", Buffer.concat([Buffer.from(`${ids[0]}\nnot a cookie!\n${ids[1]}\n`), Buffer.from([0x41, 0xe9, 0x0a])]));
    const spec = write("id-file.yaml", `${[...HEAD, "    members:", "      COOKIE: { file: ids/cookies.txt }"].join("\n")}\n`);
    const r = await previewOf(spec);
    const file = path.join(dir, "ids", "cookies.txt");
    assertCleanFailure(r, `${file}:2: is not a valid COOKIE ID`);
    assertCleanFailure(r, `${file}:4:2: not valid UTF-8; save the file as UTF-8`);
  });

  it("a missing spec file", async () => {
    const spec = path.join(dir, "no-such-spec.yaml");
    assertCleanFailure(await previewOf(spec), `${spec}: spec file not found`);
  });

  it("an ID file outside the spec's folder", async () => {
    fs.writeFileSync(path.join(outside, "elsewhere.txt"), `${cookieIds(1, 32)[0]}\n`);
    const relative = path.relative(dir, path.join(outside, "elsewhere.txt"));
    const spec = write("outside.yaml", `${[...HEAD, "    members:", `      COOKIE: { file: ${relative} }`].join("\n")}\n`);
    assertCleanFailure(await previewOf(spec), `${spec}:9:23: audiences.loyal-customers.members.COOKIE.file: ID file resolves outside the spec's folder`);
  });

  it("the valid spec still previews", async () => {
    const r = await previewOf(path.join(dir, "valid.yaml"));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  });
});
