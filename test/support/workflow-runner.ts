/**
 * Runs the `run:` steps of a GitHub Actions workflow locally, as a runner would: in order, with
 * `bash --noprofile --norc -eo pipefail`, with the env the workflow, job and step declare, and
 * with GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. `uses:` steps are not run (the test provides
 * their effect: a checkout, Node.js, the Pulumi CLI on PATH).
 *
 * Only the expressions the examples use are understood, and only in `env:` values:
 * `secrets.X`, `vars.X`, `github.a.b`, `steps.<id>.outputs.<name>`, string literals and `||`.
 * Anything else (including `if:`) is an error, so a workflow cannot drift away from what is tested.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  if?: string;
  shell?: string;
  "working-directory"?: string;
}
interface Job {
  env?: Record<string, string>;
  steps: Step[];
  if?: string;
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** What the expressions can see. */
export interface WorkflowContext {
  secrets: Record<string, string>;
  vars: Record<string, string>;
  github: Record<string, unknown>;
}

export interface RunWorkflowOptions {
  file: string;
  /** @default the only job */
  job?: string;
  /** The checkout: GITHUB_WORKSPACE and every step's working directory. */
  cwd: string;
  context: WorkflowContext;
  /** The runner's own environment (PATH with node, pulumi, gh; HOME; …). */
  env: NodeJS.ProcessEnv;
  /**
   * Steps not to run, by name, each with the exact script it must have, so that skipping
   * cannot hide a changed command (e.g. `npm ci`, which would replace the linked node_modules).
   */
  skip?: Record<string, RegExp>;
  /** @default 10 minutes */
  stepTimeoutMs?: number;
}

export interface StepResult {
  name: string;
  /** Why it did not run: a `uses:` step, a listed skip, or an earlier failure. */
  skipped?: string;
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface WorkflowRun {
  steps: StepResult[];
  /** Exit code of the first failing step, 0 when all succeeded. */
  code: number;
  /** Everything written to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** All stdout and stderr, for leak checks. */
  log: string;
}

/** Evaluates one `${{ … }}` env value. */
export function evaluateExpression(value: string, context: WorkflowContext & { steps: Record<string, { outputs: Record<string, string> }> }): string {
  const whole = /^\$\{\{\s*(.+?)\s*\}\}$/.exec(value);
  if (whole === null) {
    if (value.includes("${{")) throw new Error(`unsupported expression (only a whole-value \${{ }} is): ${value}`);
    return value;
  }
  for (const term of (whole[1] as string).split("||").map((t) => t.trim())) {
    let result: unknown;
    const literal = /^'((?:[^']|'')*)'$/.exec(term);
    if (literal) result = (literal[1] as string).replace(/''/g, "'");
    else if (/^(secrets|vars|github|steps)(\.[A-Za-z0-9_-]+)+$/.test(term)) {
      result = term.split(".").reduce<unknown>((at, key) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), context);
    } else throw new Error(`unsupported expression term: ${term}`);
    // GitHub: a missing value is an empty string, and `a || b` takes the first truthy one.
    if (result !== undefined && result !== null && result !== "") return String(result);
  }
  return "";
}

function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      out[heredoc[1] as string] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, stdout, stderr });
    });
  });
}

/** Runs one job of `file` (see the module comment). */
export async function runWorkflowLocally(o: RunWorkflowOptions): Promise<WorkflowRun> {
  const workflow = parse(fs.readFileSync(o.file, "utf8")) as Workflow;
  const jobNames = Object.keys(workflow.jobs);
  const jobName = o.job ?? (jobNames.length === 1 ? jobNames[0] : undefined);
  const job = jobName === undefined ? undefined : workflow.jobs[jobName];
  if (job === undefined) throw new Error(`${o.file}: name the job to run (${jobNames.join(", ")})`);
  if (job.if !== undefined) throw new Error(`${o.file}: job-level if: is not supported by the local runner`);
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-"));
  const stepsContext: Record<string, { outputs: Record<string, string> }> = {};
  const ctx = { ...o.context, steps: stepsContext };
  const evaluate = (env: Record<string, string> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, evaluateExpression(String(v), ctx)]));
  const summaryFile = path.join(temp, "step-summary.md");
  fs.writeFileSync(summaryFile, "");
  const results: StepResult[] = [];
  let failed = 0;
  try {
    for (const [index, step] of job.steps.entries()) {
      const name = step.name ?? step.uses ?? `step ${index + 1}`;
      if (step.if !== undefined) throw new Error(`${o.file} "${name}": if: is not supported by the local runner`);
      if (step.shell !== undefined || step["working-directory"] !== undefined) throw new Error(`${o.file} "${name}": shell/working-directory not supported`);
      const skipWith = o.skip?.[name];
      const skipped =
        failed !== 0 ? "an earlier step failed" : step.uses !== undefined ? `uses: ${step.uses} (provided by the test)` : skipWith !== undefined ? "skipped by the test" : undefined;
      if (skipWith !== undefined && !skipWith.test(step.run ?? "")) throw new Error(`${o.file} "${name}": skipped step changed: ${step.run}`);
      if (skipped !== undefined) {
        results.push({ name, skipped, code: 0, stdout: "", stderr: "", outputs: {} });
        continue;
      }
      const outputFile = path.join(temp, `output-${index}`);
      const script = path.join(temp, `step-${index}.sh`);
      fs.writeFileSync(outputFile, "");
      fs.writeFileSync(script, step.run ?? "");
      const env: NodeJS.ProcessEnv = {
        ...o.env,
        CI: "true",
        GITHUB_ACTIONS: "true",
        GITHUB_WORKSPACE: o.cwd,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: temp,
        ...evaluate(workflow.env),
        ...evaluate(job.env),
        ...evaluate(step.env),
      };
      const r = await runScript(script, o.cwd, env, o.stepTimeoutMs ?? 10 * 60 * 1000);
      const outputs = readOutputs(outputFile);
      if (step.id !== undefined) stepsContext[step.id] = { outputs };
      results.push({ name, code: r.code, stdout: r.stdout, stderr: r.stderr, outputs });
      if (r.code !== 0) failed = r.code;
    }
    return {
      steps: results,
      code: failed,
      summary: fs.readFileSync(summaryFile, "utf8"),
      log: results.map((r) => `${r.stdout}\n${r.stderr}`).join("\n"),
    };
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
