import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  parsePlanSummaryArgs,
  planSummaryCommand,
  UsageError,
  type PlanSummaryArgs,
  type PlanSummaryIo,
  type PreviewRun,
} from "../../../provider/gitops/plan-summary-command";
import { PLAN_SUMMARY_FORMAT, type PlanSummary } from "../../../provider/gitops/plan-summary";

const fixtureText = (name: string): string => fs.readFileSync(path.join(__dirname, "fixtures", `preview-${name}.json`), "utf8");

/** An io whose preview returns `run`, recording what it was asked and what was printed. */
function fakeIo(run: PreviewRun): PlanSummaryIo & { asked: PlanSummaryArgs[]; printed: string[]; warned: string[] } {
  const asked: PlanSummaryArgs[] = [];
  const printed: string[] = [];
  const warned: string[] = [];
  return {
    asked,
    printed,
    warned,
    preview: async (args) => {
      asked.push(args);
      return run;
    },
    print: (t) => printed.push(t),
    warn: (t) => warned.push(t),
  };
}

describe("dsp-audiences plan-summary (command shell)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-summary-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("parses its options, and passes everything after -- to pulumi preview", () => {
    assert.deepEqual(parsePlanSummaryArgs(["--stack", "prod", "--cwd=infra", "--json", "s.json", "--markdown", "s.md", "--expect-no-changes", "--", "--config-file", "x.yaml"]), {
      stack: "prod",
      cwd: "infra",
      json: "s.json",
      markdown: "s.md",
      expectNoChanges: true,
      previewArgs: ["--config-file", "x.yaml"],
    });
    assert.equal(parsePlanSummaryArgs(["--max-chars", "20000"]).maxChars, 20000);
    for (const bad of [["--stack"], ["--stack", "--json"], ["--nope"], ["--max-chars", "12"], ["--from", "p.json", "--", "--diff"]]) {
      assert.throws(() => parsePlanSummaryArgs(bad), UsageError, bad.join(" "));
    }
  });

  it("runs the preview, writes Markdown and JSON, and exits 0 when it succeeded", async () => {
    const io = fakeIo({ stdout: fixtureText("update"), stderr: "", code: 0 });
    const md = path.join(dir, "out", "summary.md");
    const json = path.join(dir, "summary.json");
    const raw = path.join(dir, "preview.json");
    const result = await planSummaryCommand(["--stack", "prod", "--markdown", md, "--json", json, "--save-preview", raw], io);
    assert.equal(result.exitCode, 0);
    assert.equal(io.asked[0]?.stack, "prod");
    assert.equal(fs.readFileSync(md, "utf8"), result.markdown);
    assert.equal(fs.readFileSync(raw, "utf8"), fixtureText("update"));
    const written = JSON.parse(fs.readFileSync(json, "utf8")) as PlanSummary;
    assert.equal(written.format, PLAN_SUMMARY_FORMAT);
    assert.equal(written.stack, "prod");
    assert.deepEqual(written.audiences[0]?.members[0], { idType: "COOKIE", change: "update", adds: 50, removes: 50, unchanged: 150, reassert: false });
    assert.deepEqual(io.printed, [], "Markdown went to the file, not stdout");
  });

  it("still writes the summary when the preview fails, then exits 1", async () => {
    const io = fakeIo({ stdout: fixtureText("missing-snapshot"), stderr: "", code: 255 });
    const result = await planSummaryCommand([], io);
    assert.equal(result.exitCode, 1);
    assert.match(io.printed.join(""), /Preview failed/);
    assert.match(io.warned.join(""), /the preview failed/);
  });

  it("fails a drift check (--expect-no-changes) that finds changes, even from a saved preview", async () => {
    const saved = path.join(dir, "p.json");
    fs.writeFileSync(saved, fixtureText("update"));
    const result = await planSummaryCommand(["--from", saved, "--expect-no-changes"], fakeIo({ stdout: "", stderr: "", code: 0 }));
    assert.equal(result.exitCode, 1);
    assert.equal(result.summary.hasChanges, true);
  });

  it("reports the CLI's own error when it printed no JSON (no stack, no login)", async () => {
    const io = fakeIo({ stdout: "", stderr: "warning: A new version\nerror: no stack named 'prod' found\n", code: 255 });
    await assert.rejects(planSummaryCommand(["--stack", "prod"], io), /pulumi preview exited 255 without JSON output:\n[^]*no stack named 'prod' found/);
  });
});
