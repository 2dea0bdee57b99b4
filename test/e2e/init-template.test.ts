/**
 * A new team's first hour, as they would spend it: `npx dsp-audiences init` from the packed
 * package in an empty folder outside the repository, the package installed there, then
 * `validate`, `preview` and `up` through the real Pulumi CLI against the simulator; the
 * template's workflows linted as the repository's are; `pulumi new <template> --yes` writing the
 * same files as init; and two audiences made out of band adopted with `dsp-audiences adopt`,
 * after which `up` changes nothing in their metadata.
 */
import { strict as assert } from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { DspClient, simulatorEndpoint } from "../../provider/client";
import { TEMPLATE_DIR } from "../../provider/cli/spec-repository-template";
import { ensurePulumiEngine, PulumiStack } from "../../tools/pulumi-cli";
import { fullLog, lastSeq } from "../support/sim-admin";
import { simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";

const run = promisify(execFile);
const root = path.join(__dirname, "..", "..");
const PROJECT = "crm-audiences";

/** Every file under `dir` (node_modules and lock file aside): relative path → text. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    if (rel.startsWith("node_modules") || rel === "package-lock.json") continue;
    const full = path.join(dir, rel);
    if (fs.statSync(full).isFile()) files.set(rel, fs.readFileSync(full, "utf8"));
  }
  return files;
}

describe("a new spec repository: init → validate → preview → up, the template through pulumi new, adopt (real CLI)", function () {
  this.timeout(20 * 60 * 1000);
  let work: string;
  let tarball: string;
  let dir: string;
  let env: SimulatedStack;
  /** What `init` wrote, before anything else touched the folder. */
  let initial: Map<string, string>;
  const transcript: string[] = [];

  const npx = async (args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> => {
    const r = await run("npx", ["--no-install", "dsp-audiences", ...args], { cwd: dir, env: { ...process.env, ...extraEnv } });
    transcript.push(`$ npx dsp-audiences ${args.join(" ")}`, r.stdout.trimEnd(), r.stderr.trimEnd());
    return r;
  };

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-init-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, maxBuffer: 64 << 20 });
    tarball = path.join(work, (JSON.parse(stdout.slice(stdout.indexOf("["))) as Array<{ filename: string }>)[0]?.filename as string);
    dir = path.join(work, PROJECT);
    fs.mkdirSync(dir);
    // `npx dsp-audiences init` runs the published files: the tarball as npm unpacks it (init needs none of its dependencies).
    const unpacked = path.join(work, "unpacked");
    fs.mkdirSync(unpacked);
    await run("tar", ["-xzf", tarball, "-C", unpacked]);
    const init = await run(process.execPath, [path.join(unpacked, "package", "bin", "dsp-audiences.js"), "init"], { cwd: dir });
    transcript.push("$ npx dsp-audiences init", init.stdout.trimEnd());
    initial = tree(dir);
    const install = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball];
    await run("npm", install, { cwd: dir, maxBuffer: 64 << 20 });
    transcript.push(`$ npm install ${path.basename(tarball)}`);
  });

  after(async () => {
    await env?.close();
    if (process.env.DSP_E2E_TRANSCRIPT) fs.writeFileSync(process.env.DSP_E2E_TRANSCRIPT, transcript.filter((l) => l !== "").join("\n") + "\n");
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("init writes the template's files, .gitignore included (npm leaves it out of the package)", () => {
    assert.deepEqual([...initial.keys()], [
      ".github/workflows/apply-on-main.yml",
      ".github/workflows/drift-check.yml",
      ".github/workflows/plan-on-pull-request.yml",
      ".gitignore",
      "Pulumi.yaml",
      "README.md",
      "audiences.yaml",
      "ids/newsletter-cookies.txt",
      "index.js",
      "package.json",
    ]);
    assert.match(transcript[1] as string, new RegExp(`^✓ \\.: 10 files for project ${PROJECT}\\nnext:\\n {2}npm install\\n`));
    assert.match(initial.get("Pulumi.yaml") as string, new RegExp(`^name: ${PROJECT}\\n`));
  });

  it("validates, previews and applies the spec against the simulator", async () => {
    const valid = await npx(["validate"]);
    assert.equal(valid.stdout, "✓ audiences.yaml: 1 audience, 0 inline IDs, 1 ID file\n");

    env = await startSimulatedStack("audiences.yaml", "init", { projectDir: dir });
    const preview = await env.run((s) => s.preview());
    transcript.push("$ pulumi preview", preview.stdout.trimEnd());
    assert.equal(preview.code, 0, preview.stdout + preview.stderr);
    assert.match(preview.stdout, /newsletter-readers COOKIE: \+10 −0 IDs/);

    const up = await env.run((s) => s.up());
    transcript.push("$ pulumi up --yes", up.stdout.trimEnd());
    const outputs = JSON.parse((await env.run((s) => s.must(["stack", "output", "--json"]))).stdout) as { audiences: Record<string, { audienceId: string }> };
    const audienceId = outputs.audiences["newsletter-readers"]?.audienceId as string;
    assert.match(audienceId, /^\d{17,}$/);
    assert.equal((await simMembers(env.sim, audienceId)).COOKIE.length, 10);
    const again = await env.run((s) => s.preview(["--expect-no-changes"]));
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(fs.existsSync(path.join(dir, `Pulumi.${env.stack.stack}.yaml`)), false, "the test keeps stack config outside the project");
  });

  it("adopts two audiences made out of band; the next up changes nothing in their metadata", async () => {
    const secrets = { clientId: "amzn1.application-oa2-client.e2e", ...env.secrets };
    const client = new DspClient({ endpoint: simulatorEndpoint(env.sim.url), credentials: secrets });
    const consoleMade = [
      await client.createAudience({ name: "Console: loyal buyers", description: "Made in the console", advertiserId: "9007199254740993", externalAudienceId: "Loyal Buyers", dataSourceCountry: ["DE", "AT"], ttl: 86400, audienceFees: [{ cpmCents: 120, currency: "EUR" }] }),
      await client.createAudience({ name: "Console: app users", description: "", advertiserId: "9007199254740993", externalAudienceId: "app-users", dataSourceCountry: ["GB"] }),
    ];
    const ids = consoleMade.map((a) => a.audienceId);
    const adopt = await npx(["adopt", ...ids, "--write", "audiences.yaml", "--endpoint", env.sim.url], {
      DSP_CLIENT_ID: secrets.clientId,
      DSP_CLIENT_SECRET: secrets.clientSecret,
      DSP_REFRESH_TOKEN: secrets.refreshToken,
    });
    assert.equal(adopt.stdout, "✓ audiences.yaml: 2 audiences added (loyal-buyers, app-users); add their members, then `dsp-audiences validate audiences.yaml`\n");
    assert.equal(adopt.stderr, `reading 2 audiences at 1 request/s\n[1/2] ${ids[0]}: Console: loyal buyers\n[2/2] ${ids[1]}: Console: app users\n`);
    const spec = fs.readFileSync(path.join(dir, "audiences.yaml"), "utf8");
    assert.ok(spec.startsWith(initial.get("audiences.yaml") as string), "the spec as init wrote it, comments and all, with the entries after it");
    assert.equal((await npx(["validate"])).stdout, "✓ audiences.yaml: 3 audiences, 0 inline IDs, 1 ID file\n");

    const since = await lastSeq(env.sim.url);
    const up = await env.run((s) => s.up());
    transcript.push("$ pulumi up --yes", up.stdout.trimEnd());
    const metadataWrites = (await fullLog(env.sim.url, since)).filter((r) => r.path.startsWith("/v2/dp/audiencemetadata") && r.method !== "GET");
    assert.deepEqual(metadataWrites, [], "no POST or PUT of audience metadata");
    for (const [i, before] of consoleMade.entries()) {
      const now = await client.getAudience(ids[i] as string);
      assert.deepEqual({ ...now, audienceSize: undefined }, { ...before, audienceSize: undefined }, `audience ${ids[i]} as it was`);
    }
    client.close();
    const outputs = JSON.parse((await env.run((s) => s.must(["stack", "output", "--json"]))).stdout) as { audiences: Record<string, { audienceId: string }> };
    assert.deepEqual([outputs.audiences["loyal-buyers"]?.audienceId, outputs.audiences["app-users"]?.audienceId], ids);
    const again = await env.run((s) => s.preview(["--expect-no-changes"]));
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });

  it("its workflows pass actionlint, with ShellCheck on every run: script", function () {
    const tools = Object.fromEntries(
      execFileSync("bash", [path.join(root, "scripts", "ensure-actionlint.sh")], { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((l) => l.split("=", 2) as [string, string]),
    );
    const workflows = path.join(dir, ".github", "workflows");
    const files = fs.readdirSync(workflows).map((f) => path.join(workflows, f));
    assert.equal(files.length, 3);
    try {
      execFileSync(tools.actionlint as string, ["-no-color", "-oneline", "-shellcheck", tools.shellcheck as string, ...files], { encoding: "utf8", cwd: dir });
    } catch (e) {
      assert.fail(`actionlint found problems:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
    }
  });

  it("pulumi new <template folder> --yes writes the same files as init", async () => {
    const parent = path.join(work, "pulumi-new");
    const target = path.join(parent, PROJECT);
    fs.mkdirSync(target, { recursive: true });
    const cli = new PulumiStack({ projectDir: parent, backendDir: path.join(work, "pulumi-new-backend"), binDir: await ensurePulumiEngine() });
    // --generate-only: no stack and no `npm install` (which would fetch dsp-audiences from the registry).
    const made = await cli.run(["new", path.join(root, TEMPLATE_DIR), "--yes", "--generate-only", "--dir", target], false);
    assert.equal(made.code, 0, made.stdout + made.stderr);
    const fromPulumi = tree(target);
    assert.deepEqual([...fromPulumi.keys()], [...initial.keys()]);
    for (const [file, text] of initial) assert.equal(fromPulumi.get(file), text, file);
  });
});
