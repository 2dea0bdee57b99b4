import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The example workflows, parsed. Structure only; test/e2e/gitops.test.ts runs actionlint and the steps themselves. */
const dir = path.join(__dirname, "..", "..", "..", "examples", "github-actions");
type Step = { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = { "runs-on": string; "timeout-minutes": number; steps: Step[]; env?: Record<string, string> };
type Workflow = { name: string; on: Record<string, unknown>; permissions?: Record<string, string>; concurrency?: { group: string; "cancel-in-progress": boolean }; env?: Record<string, string>; jobs: Record<string, Job> };
const load = (file: string): Workflow => parse(fs.readFileSync(path.join(dir, file), "utf8")) as Workflow;
const FILES = ["plan-on-pull-request.yml", "apply-on-main.yml", "drift-check.yml"];
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);
const runOf = (w: Workflow, name: string): string => {
  const step = steps(w).find((s) => s.name === name);
  assert.ok(step?.run, `a step named "${name}" with a run script`);
  return step.run;
};

describe("example GitHub Actions workflows (structure)", () => {
  it("are complete workflows: name, trigger, least permissions, jobs with a runner, a timeout and steps", () => {
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".yml")).sort(), [...FILES].sort());
    for (const file of FILES) {
      const w = load(file);
      assert.ok(w.name && w.on && w.jobs, file);
      assert.equal(w.permissions?.contents, "read", `${file}: read-only checkout`);
      for (const [id, job] of Object.entries(w.jobs)) {
        assert.ok(job["runs-on"], `${file} ${id}: runs-on`);
        assert.ok(job["timeout-minutes"] > 0, `${file} ${id}: timeout-minutes`);
        for (const step of job.steps) assert.ok((step.run === undefined) !== (step.uses === undefined), `${file}: each step has run or uses`);
      }
    }
  });

  it("keep secrets out of scripts: secrets only in env:, no ${{ }} inside run:, nothing echoed", () => {
    for (const file of FILES) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      const w = load(file);
      for (const step of steps(w)) {
        // Expressions in scripts are an injection risk (and the local runner does not expand them).
        if (step.run) assert.ok(!step.run.includes("${{"), `${file} "${step.name}": no \${{ }} in run:`);
        if (step.run) assert.ok(!/\bset -x\b|\bset -o xtrace\b/.test(step.run), `${file}: no xtrace`);
        for (const value of Object.values(step.with ?? {})) assert.ok(!String(value).includes("secrets."), `${file}: no secret in with:`);
        const secretVars = Object.entries(step.env ?? {}).filter(([, v]) => v.includes("secrets.")).map(([k]) => k);
        for (const name of secretVars) {
          assert.ok(!new RegExp(`echo[^\\n]*\\$\\{?${name}\\b`).test(step.run ?? ""), `${file}: ${name} is never echoed`);
        }
      }
      // Every secrets.X reference sits in an env: map.
      const referenced = (text.match(/secrets\.[A-Z_]+/g) ?? []).length;
      const inEnv = steps(w).reduce((n, s) => n + Object.values(s.env ?? {}).filter((v) => v.includes("secrets.")).length, 0);
      assert.equal(referenced, inEnv, `${file}: every secret is passed through a step's env`);
    }
  });

  it("pin the same Pulumi CLI version as scripts/ensure-pulumi.sh", () => {
    const pinned = /PULUMI_PINNED_VERSION=(\S+)/.exec(fs.readFileSync(path.join(dir, "..", "..", "scripts", "ensure-pulumi.sh"), "utf8"))?.[1];
    for (const file of FILES) {
      const pulumi = steps(load(file)).find((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.equal(pulumi?.with?.["pulumi-version"], pinned, file);
    }
  });

  it("on pull_request: validate, summarise, then post or update the one comment found by its marker", () => {
    const w = load("plan-on-pull-request.yml");
    assert.ok("pull_request" in w.on);
    assert.ok(!("pull_request_target" in w.on), "never run PR code with the repository's secrets");
    assert.equal(w.permissions?.["pull-requests"], "write");
    assert.match(runOf(w, "Validate the spec"), /npx dsp-audiences validate "\$SPEC"/);
    const plan = runOf(w, "Preview and summarise");
    assert.match(plan, /npx dsp-audiences plan-summary --stack "\$STACK"/);
    assert.match(plan, /--marker "<!-- dsp-audiences:plan-summary:\$STACK -->"/);
    assert.match(plan, /set \+e/, "a failed preview still gets its comment");
    const comment = runOf(w, "Post or update the PR comment");
    assert.match(comment, /MARKER="<!-- dsp-audiences:plan-summary:\$STACK -->"/, "the same marker");
    assert.match(comment, /select\(\.body \| startswith\(env\.MARKER\)\)/);
    assert.match(comment, /--method PATCH "repos\/\$REPO\/issues\/comments\/\$id"/);
    assert.match(comment, /--method POST "repos\/\$REPO\/issues\/\$PR\/comments"/);
    const names = steps(w).map((s) => s.name ?? s.uses);
    assert.ok(names.indexOf("Post or update the PR comment") < names.indexOf("Fail if the preview failed"));
  });

  it("on push to main: pulumi up, one at a time, never cancelled, then expect no changes", () => {
    const w = load("apply-on-main.yml");
    assert.deepEqual((w.on.push as { branches: string[] }).branches, ["main"]);
    assert.equal(w.concurrency?.["cancel-in-progress"], false);
    assert.match(runOf(w, "Apply"), /^pulumi up --yes .*--stack "\$STACK"/);
    assert.match(runOf(w, "Check that nothing is left to apply"), /plan-summary --stack "\$STACK" --expect-no-changes/);
  });

  it("on a schedule: refresh, then preview expecting no changes, failing with what drifted", () => {
    const w = load("drift-check.yml");
    assert.match(String((w.on.schedule as Array<{ cron: string }>)[0]?.cron), /^\d+ \d+ \* \* \*$/);
    assert.equal(w.concurrency?.group, load("apply-on-main.yml").concurrency?.group, "never during an apply");
    const names = steps(w).map((s) => s.name);
    assert.ok(names.indexOf("Refresh from Amazon DSP") < names.indexOf("Expect no changes"));
    assert.match(runOf(w, "Refresh from Amazon DSP"), /pulumi refresh --yes/);
    const check = runOf(w, "Expect no changes");
    assert.match(check, /plan-summary --stack "\$STACK" --expect-no-changes/);
    assert.match(check, /::error title=dsp-audiences drift/);
    assert.match(check, /exit "\$code"/);
  });
});
