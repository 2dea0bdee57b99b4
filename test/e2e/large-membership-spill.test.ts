/**
 * A membership larger than its memory budget through the real CLI (issue 14): with
 * `dsp:planMemoryMB: 1`, 60,000 IDs are sorted on disk by the program and planned in windows by the
 * provider. The counts must be exact, `up` must leave exactly the spec in the simulator, a change
 * must send exactly the change, and a second preview must have nothing to do. The stack's
 * processes use a temp folder of their own: no step may leave a copy on disk behind (`dsp-plan-*`,
 * `dsp-set-*`), not even one whose provider was killed mid-plan, once the next `up` has run.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cookieIds } from "../support/synthetic-ids";
import { patchLog, simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeCookieAudience } from "../support/spec-files";
import { scenario } from "../support/checkpoints";

/** Polls `condition` (the simulator runs in this process: its request log is the clock here). */
async function waitFor(what: string, condition: () => Promise<boolean>, attempts = 2400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a membership larger than dsp:planMemoryMB, planned on disk (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  const checkpoint = scenario();
  const all = cookieIds(81_000, 91);
  const v1 = all.slice(0, 60_000);
  // A large change (more than a quarter of the set: stored whole, planned in windows) …
  const v2 = [...all.slice(20_000, 60_000), ...all.slice(60_000, 80_000)]; // −20,000 +20,000
  // … and a small one (stored as a delta over what the audience holds, which is then the plan).
  const v3 = [...v2.slice(1_500), ...all.slice(80_000)]; // −1,500 +1,000
  let env: SimulatedStack;
  let specDir: string;
  let audienceId: string;
  /** The system temp folder of the CLI and every process it starts. */
  let temp: string;
  /** The copies on disk that the stack's processes left in their temp folder. */
  const leftovers = (prefix = "dsp-"): string[] => fs.readdirSync(temp).filter((name) => name.startsWith(prefix));
  // Repeats and blank lines count as in any ID file.
  const writeSpec = (ids: readonly string[]): string => writeCookieAudience(specDir, "big", "Big audience", [...ids, "", ...ids.slice(0, 100)]);

  before(async function () {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "spill-tmp-"));
    env = await startSimulatedStack("", "spill", { env: { TMPDIR: temp } });
    specDir = path.join(env.work, "spec");
    fs.mkdirSync(specDir, { recursive: true });
    writeSpec(v1);
    await env.run((s) => s.setConfig("dsp:spec", path.join(specDir, "audiences.yaml")));
    await env.run((s) => s.setConfig("dsp:planMemoryMB", "1"));
  });

  afterEach(function () {
    // Every command of a step has ended: each operation's copies went with it, whatever the engine did to the processes.
    if (this.currentTest?.state === "passed") assert.deepEqual(leftovers(), [], "no copies on disk left behind");
  });

  after(async function () {
    await env?.close();
    if (temp !== undefined) fs.rmSync(temp, { recursive: true, force: true });
  });

  checkpoint("a budget that is not a whole number of MB stops the preview with one clean input error", async function () {
    await env.run((s) => s.setConfig("dsp:planMemoryMB", "lots"));
    const preview = await env.run((s) => s.preview([]));
    await env.run((s) => s.setConfig("dsp:planMemoryMB", "1"));
    assert.notEqual(preview.code, 0);
    const output = preview.stdout + preview.stderr;
    assert.match(output, /dsp:planMemoryMB must be a whole number of megabytes, at least 1 \(got "lots"\)/);
    assert.match(output, /stopped by 1 input error \(above\); nothing was changed/);
    assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+\)?\n/, "no stack trace");
  });

  checkpoint("creates the audience with exactly its members, planned in windows", async function () {
    const preview = await env.run((s) => s.preview([]));
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /big COOKIE: \+60,000 −0 IDs/);
    const up = await env.run((s) => s.up());
    assert.equal(up.code, 0, up.stderr);
    const out = JSON.parse((await env.stack.must(["stack", "output", "--json"])).stdout) as { audiences: { big: { audienceId: string } } };
    audienceId = out.audiences.big.audienceId;
    assert.deepEqual([...(await simMembers(env.sim, audienceId)).COOKIE].sort(), [...v1].sort());
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "nothing left to send");
  });

  checkpoint("a large change previews and sends exactly the change from copies on disk, in windows, and converges", async function () {
    writeSpec(v2);
    const preview = await env.run((s) => s.preview([]));
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /big COOKIE: sets larger than dsp:planMemoryMB \(1 MB\): planned from copies on disk in \d+ windows/);
    assert.match(preview.stdout, /big COOKIE: \+20,000 −20,000 IDs \(40,000 unchanged\)/);
    const up = await env.run((s) => s.up());
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /big COOKIE: sent \+20,000 −20,000 in \d+ requests/);
    assert.deepEqual([...(await simMembers(env.sim, audienceId)).COOKIE].sort(), [...v2].sort());
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "a second up has nothing to send");
  });

  checkpoint("a small change is stored as a delta computed on disk, which is the plan, and converges", async function () {
    const backend = path.join(env.work, "backend");
    const deltas = (): number => fs.readdirSync(backend, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".delta.zst")).length;
    const before = deltas();
    writeSpec(v3);
    const preview = await env.run((s) => s.preview([]));
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /big COOKIE: \+1,000 −1,500 IDs \(58,500 unchanged\)/);
    assert.doesNotMatch(preview.stdout, /planned from copies on disk/, "the delta is the plan: no set is read");
    assert.equal(deltas(), before + 1, "the new set is stored as a delta");
    const up = await env.run((s) => s.up());
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /big COOKIE: sent \+1,000 −1,500 in \d+ requests/);
    assert.deepEqual([...(await simMembers(env.sim, audienceId)).COOKIE].sort(), [...v3].sort());
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "a second up has nothing to send");
  });

  it("a provider killed mid-plan leaves its copies on disk, and the next up sweeps them and leaves none", async function () {
    // Back to v1: a large change, planned and sent in windows from copies on disk; slow patches keep the sync going.
    writeSpec(v1);
    env.sim.setFaults({ latencyMs: 1000, routes: ["PATCH /v2/dp/audience"] });
    const before = (await patchLog(env)).length;
    const up = env.stack.start(["up", "--yes", "--skip-preview"]);
    await waitFor("the up's first patch", async () => (await patchLog(env)).length > before);
    // The update's copies (the diff's are gone already); their folder names the provider process.
    const folders = leftovers("dsp-plan-");
    assert.equal(folders.length, 1, `one operation's copies on disk: ${folders.join(", ")}`);
    const folder = path.join(temp, folders[0] as string);
    const owner = JSON.parse(fs.readFileSync(path.join(folder, "owner.json"), "utf8")) as { pid: number };
    assert.ok(fs.readdirSync(folder).some((name) => name.endsWith(".ids")), "copies of the sets are in it");
    process.kill(owner.pid, "SIGKILL");
    const killed = await up.done;
    env.transcript.push(killed.stdout, killed.stderr);
    env.sim.setFaults({});
    assert.notEqual(killed.code, 0, "the up failed with its provider");
    assert.ok(fs.existsSync(folder), "a killed provider cannot remove its copies");

    const again = await env.run((s) => s.up());
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(leftovers(), [], "the next up swept the killed provider's copies and left none of its own");
    assert.deepEqual([...(await simMembers(env.sim, audienceId)).COOKIE].sort(), [...v1].sort());
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "nothing left to send");
  });
});
