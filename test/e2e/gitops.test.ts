/**
 * The example GitHub Actions workflows (examples/github-actions/), linted with actionlint and
 * ShellCheck, and their `run:` steps executed as written in a fresh clone of this repository:
 * the real Pulumi CLI, a file backend, the DSP simulator, and a stand-in for `gh api`.
 * The clone holds HEAD: commit before running this locally.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DspClient, simulatorEndpoint } from "../../provider/client";
import { parseMembershipLine } from "../../provider/membership/membership-line";
import { parsePreviewJson, urnType } from "../../provider/gitops/preview-json";
import { ensurePulumiEngine, PulumiStack } from "../../tools/pulumi-cli";
import { startSimulator, type RunningSimulator } from "../../simulator";
import { installFakeGh, readFakeGitHub } from "../support/fake-gh";
import { simMembers } from "../support/simulated-stack";
import { specFiles } from "../support/spec-files";
import { cookieIds, maidIds } from "../support/synthetic-ids";
import { runWorkflowLocally, type WorkflowRun } from "../support/workflow-runner";
import { cloneThisRepository, type WorkingCopy } from "../support/working-copy";
import { scenario } from "../support/checkpoints";

const EXAMPLES = path.join(__dirname, "..", "..", "examples", "github-actions");
const STACK = `gitops${process.pid}`;
const MARKER = `<!-- dsp-audiences:plan-summary:${STACK} -->`;
/** Steps the test provides instead of running: installing would replace the linked node_modules. */
const SKIP = { "Install dependencies": /^npm ci --no-audit --no-fund\s*$/ };

function spec(cookies: string[], maids: string[]): Record<string, string> {
  return specFiles(
    {
      version: 1,
      defaults: { advertiserId: "9223372036854775001", dataSourceCountry: ["US"], ttl: 2592000 },
      audiences: {
        "gitops-alpha": { name: "GitOps alpha audience", description: "first", members: { COOKIE: { file: "ids/alpha-cookies.txt" }, MAID: maids } },
        "gitops-beta": { name: "GitOps beta audience", members: { COOKIE: cookies.slice(0, 3) } },
      },
    },
    { "ids/alpha-cookies.txt": cookies.slice(3) },
  );
}

describe("GitOps example workflows: actionlint, then their steps run against the simulator (real CLI)", function () {
  this.timeout(15 * 60 * 1000);
  const checkpoint = scenario();
  const cookies = cookieIds(400, 81);
  const maids = maidIds(8, 82);
  const credentials = { clientId: "amzn1.application-oa2-client.gitops", clientSecret: `gitops-secret-${Math.random().toString(36).slice(2)}`, refreshToken: `Atzr|gitops-${Math.random().toString(36).slice(2)}` };
  const passphrase = `gitops-passphrase-${Math.random().toString(36).slice(2)}`;
  let work: string;
  let sim: RunningSimulator;
  let repo: WorkingCopy;
  let stack: PulumiStack;
  let binDir: string;
  let ghState: string;
  const runs: WorkflowRun[] = [];

  /** A pull request from a branch of this repository (the one the context's github.repository names). */
  const SAME_REPO_PR = { number: 7, head: { repo: { full_name: "acme/audiences" } } };

  async function runWorkflow(file: string, github: Record<string, unknown> = {}): Promise<WorkflowRun> {
    const ghBin = path.join(work, "gh-bin");
    const run = await runWorkflowLocally({
      file: path.join(EXAMPLES, file),
      cwd: repo.dir,
      skip: SKIP,
      context: {
        secrets: {
          PULUMI_CONFIG_PASSPHRASE: passphrase,
          DSP_CLIENT_ID: credentials.clientId,
          DSP_CLIENT_SECRET: credentials.clientSecret,
          DSP_REFRESH_TOKEN: credentials.refreshToken,
        },
        vars: { DSP_STACK: STACK, PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}` },
        github: { token: "ghs_fake-token", repository: "acme/audiences", ...github },
      },
      env: {
        // What a runner has after checkout, setup-node and pulumi/actions: node, npx, pulumi, gh, jq.
        PATH: [binDir, ghBin, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
        HOME: process.env.HOME ?? os.homedir(),
        PULUMI_HOME: path.join(work, "runner-pulumi-home"),
        FAKE_GH_STATE: ghState,
        // Not part of the workflows: no update check or plugin download here, and type-checking
        // the program is `npm run typecheck`'s job (the clone would only be checked again, slowly).
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        NO_COLOR: "1",
      },
    });
    runs.push(run);
    return run;
  }

  const show = (run: WorkflowRun): string => run.steps.map((s) => `--- ${s.name} (${s.skipped ?? `exit ${s.code}`})\n${s.stdout}${s.stderr}`).join("\n");

  before(async function () {
    binDir = await ensurePulumiEngine();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-gitops-"));
    sim = await startSimulator({ port: 0, credentials });
    repo = cloneThisRepository(path.join(work, "repo"));
    ghState = path.join(work, "github.json");
    installFakeGh(path.join(work, "gh-bin"), ghState);
    repo.commit("audiences spec", spec(cookies, maids));
    stack = new PulumiStack({
      projectDir: repo.dir,
      backendDir: path.join(work, "backend"),
      binDir,
      stack: STACK,
      passphrase,
      // Where the workflows' plain `pulumi preview --stack` looks: committed with the spec.
      configFile: path.join(repo.dir, `Pulumi.${STACK}.yaml`),
    });
    await stack.init();
    await stack.setConfig("dsp:spec", "audiences.yaml");
    await stack.setConfig("dsp:endpoint", sim.url);
    repo.commit("stack config", { [`Pulumi.${STACK}.yaml`]: fs.readFileSync(stack.configFile) });
  });

  after(async function () {
    await sim?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  checkpoint("pass actionlint, with ShellCheck on every run: script", function () {
    const tools = Object.fromEntries(
      execFileSync("bash", [path.join(__dirname, "..", "..", "scripts", "ensure-actionlint.sh")], { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((l) => l.split("=", 2) as [string, string]),
    );
    const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(".yml")).map((f) => path.join(EXAMPLES, f));
    assert.equal(files.length, 3);
    try {
      execFileSync(tools.actionlint as string, ["-no-color", "-oneline", "-shellcheck", tools.shellcheck as string, ...files], { encoding: "utf8" });
    } catch (e) {
      assert.fail(`actionlint found problems:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
    }
  });

  checkpoint("pull request: validates the spec, previews, and posts one summary comment", async function () {
    const run = await runWorkflow("plan-on-pull-request.yml", { event: { pull_request: SAME_REPO_PR } });
    assert.equal(run.code, 0, show(run));
    assert.deepEqual(run.steps.map((s) => [s.name, s.skipped === undefined ? s.code : "skipped"]), [
      ["actions/checkout@v4", "skipped"],
      ["actions/setup-node@v4", "skipped"],
      ["Install dependencies", "skipped"],
      ["Install the Pulumi CLI", "skipped"],
      ["Validate the spec", 0],
      ["Preview and summarise", 0],
      ["Post or update the PR comment", 0],
      ["Fail if the preview failed", 0],
    ]);
    assert.match(run.steps[4]!.stdout, /audiences\.yaml/);
    const gh = readFakeGitHub(ghState);
    assert.deepEqual(gh.calls.map((c) => c.method), ["GET", "POST"]);
    assert.equal(gh.comments.length, 1);
    const body = gh.comments[0]!.body;
    assert.ok(body.startsWith(`${MARKER}\n`), "the marker opens the comment");
    assert.match(body, /\*\*2 audiences change\*\* \(2 to create\) · IDs \*\*\+408 −0\*\*/);
    assert.match(body, /\| `gitops-alpha` \| create \| {2}\| \+397 −0 \| \+8 −0 \|/);
    assert.match(run.summary, /gitops-beta/, "the job summary has it too");
  });

  checkpoint("merge to main: pulumi up applies the spec, and nothing is left to apply", async function () {
    const run = await runWorkflow("apply-on-main.yml");
    assert.equal(run.code, 0, show(run));
    assert.match(run.summary, /### After apply: `?gitops\d+`?\n\n\*\*No changes\*\*/);
    const out = JSON.parse((await stack.must(["stack", "output", "--json"])).stdout) as { audiences: Record<string, { audienceId: string }> };
    const alpha = await simMembers(sim, out.audiences["gitops-alpha"]!.audienceId);
    assert.equal(alpha.COOKIE.length, 397);
    assert.deepEqual([...alpha.MAID].sort(), [...maids].sort());
  });

  checkpoint("a pull request from a fork: validated, not previewed (it gets no secrets), no comment", async function () {
    const before = readFakeGitHub(ghState).calls.length;
    const run = await runWorkflow("plan-on-pull-request.yml", { event: { pull_request: { number: 8, head: { repo: { full_name: "someone/audiences-fork" } } } } });
    assert.equal(run.code, 0, show(run));
    assert.deepEqual(run.steps.slice(4).map((s) => [s.name, s.code]), [
      ["Validate the spec", 0],
      ["Preview and summarise", 0],
      ["Post or update the PR comment", 0],
      ["Fail if the preview failed", 0],
    ]);
    assert.equal(run.steps[5]!.stdout + run.steps[5]!.stderr, "", "plan-summary did not run");
    assert.match(run.summary, /Not previewed: a pull request from a fork gets no secrets/);
    assert.equal(readFakeGitHub(ghState).calls.length, before, "no GitHub API call");
  });

  checkpoint("a new push to the pull request updates the same comment instead of adding one", async function () {
    // alpha loses its last 10 cookies and gains 20 new ones.
    const changed = spec([...cookies.slice(0, 390), ...cookieIds(20, 83)], maids);
    for (const [rel, content] of Object.entries(changed)) fs.writeFileSync(path.join(repo.dir, rel), content);
    const run = await runWorkflow("plan-on-pull-request.yml", { event: { pull_request: SAME_REPO_PR } }).finally(() => {
      repo.git("checkout", "--", "audiences.yaml", "ids/alpha-cookies.txt");
    });
    assert.equal(run.code, 0, show(run));
    const gh = readFakeGitHub(ghState);
    assert.deepEqual(gh.calls.map((c) => c.method), ["GET", "POST", "GET", "PATCH"]);
    assert.equal(gh.comments.length, 1, "still one comment");
    assert.match(gh.comments[0]!.body, /\*\*1 audience change\*\* \(1 to update\) · IDs \*\*\+20 −10\*\*/);
    assert.match(gh.comments[0]!.body, /\| `gitops-alpha` \| members \| {2}\| \+20 −10 \|\n/);
    assert.match(run.steps[6]!.stdout, /updated comment 1000/);
  });

  checkpoint("preview attaches each membership's +N −M line to that membership's URN, not to the stack", async function () {
    const changed = spec([...cookies.slice(0, 390), ...cookieIds(20, 83)], maids);
    for (const [rel, content] of Object.entries(changed)) fs.writeFileSync(path.join(repo.dir, rel), content);
    const r = await stack.preview(["--json"]).finally(() => repo.git("checkout", "--", "audiences.yaml", "ids/alpha-cookies.txt"));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const preview = parsePreviewJson(r.stdout);
    const lines = preview.diagnostics.filter((d) => parseMembershipLine(d.message) !== undefined);
    assert.equal(lines.length, 1, JSON.stringify(preview.diagnostics));
    const [line] = lines;
    assert.match(line!.message, /gitops-alpha COOKIE: \+20 −10 IDs \([\d,]+ unchanged\)/);
    const membership = preview.steps.find((s) => s.op === "update" && urnType(s.urn).endsWith(":AudienceMembership"));
    assert.ok(membership !== undefined, JSON.stringify(preview.steps.map((s) => [s.op, s.urn])));
    assert.equal(line!.urn, membership.urn, "the line is the membership's diagnostic");
    assert.equal(preview.steps.filter((s) => s.op !== "same").length, 1, "the URN input changes nothing else");
  });

  checkpoint("drift check: refresh finds a change made in the console, and the job fails naming it", async function () {
    const out = JSON.parse((await stack.must(["stack", "output", "--json"])).stdout) as { audiences: Record<string, { audienceId: string }> };
    const client = new DspClient({ endpoint: simulatorEndpoint(sim.url), credentials });
    await client.updateAudience(out.audiences["gitops-alpha"]!.audienceId, { description: "edited in the console" });
    client.close();
    const run = await runWorkflow("drift-check.yml");
    assert.notEqual(run.code, 0, "drift fails the job");
    const check = run.steps.find((s) => s.name === "Expect no changes")!;
    assert.match(check.stderr, /changes found where none were expected: gitops-alpha \(description\)/);
    assert.match(check.stdout, /::error title=dsp-audiences drift on gitops\d+::plan-summary: changes found where none were expected: gitops-alpha \(description\)/);
    assert.match(run.summary, /\| `gitops-alpha` \| update \| `description` \|/);
  });

  checkpoint("never prints a secret: not in logs, job summaries or comments", function () {
    const everything = [...runs.map((r) => `${r.log}\n${r.summary}`), ...readFakeGitHub(ghState).comments.map((c) => c.body)].join("\n");
    assert.ok(everything.length > 1000);
    for (const secret of [credentials.clientSecret, credentials.refreshToken, passphrase]) assert.ok(!everything.includes(secret), "a secret was printed");
  });
});
