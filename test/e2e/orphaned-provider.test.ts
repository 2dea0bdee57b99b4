/**
 * `kill -9` of the `pulumi` process alone (not its process tree) in the middle of a membership
 * sync, through the real CLI: its provider lives on (Pulumi starts plugins in process groups of
 * their own), still sending and writing its sync record. The next `up`, started at once with a
 * changed spec, must wait for that provider, saying so and naming it, then plan from what it
 * recorded and leave exactly the new spec in the simulator.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { hostname } from "os";
import * as path from "path";
import { processAlive, processTree } from "../support/process-tree";
import { cookieIds } from "../support/synthetic-ids";
import { simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles } from "../support/spec-files";
import { waitFor, type PollOptions } from "../support/wait-for";

/** Waits as long as the slowest step here needs (the provider's patches are slowed on purpose). */
const LONG: PollOptions = { attempts: 24_000 };

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe("kill -9 of the pulumi process alone mid-sync, then an immediate up (real CLI)", function () {
  this.timeout(15 * 60 * 1000);
  const all = cookieIds(70_000, 47);
  const v1 = all.slice(0, 30_000);
  // v2 removes 10,000 and adds 40,000: 25 requests of 2,000 patches, 16 in flight at a time.
  const v2 = [...all.slice(10_000, 30_000), ...all.slice(30_000, 70_000)];
  // v3 is neither: the next up's plan depends on what the orphan recorded.
  const v3 = [...all.slice(0, 25_000), ...all.slice(50_000, 60_000)];
  let env: SimulatedStack;
  let specDir: string;
  let output = "";
  const orphans: number[] = [];
  const writeSpec = (ids: readonly string[]): void => {
    writeSpecFiles(
      specDir,
      {
        version: 1,
        defaults: { advertiserId: "42", dataSourceCountry: ["US"] },
        audiences: { orphaned: { name: "An audience whose pulumi is killed", members: { COOKIE: { file: "cookies.txt" } } } },
      },
      { "cookies.txt": ids },
    );
  };

  before(async function () {
    env = await startSimulatedStack("", "orphaned", { onOutput: (chunk) => (output += chunk) });
    specDir = path.join(env.work, "spec");
    fs.mkdirSync(specDir, { recursive: true });
    writeSpec(v1);
    await env.run((s) => s.setConfig("dsp:spec", path.join(specDir, "audiences.yaml")));
    await env.run((s) => s.up());
  });

  after(async function () {
    // The orphaned provider (and language host) idle once their work is done: started by this test, stopped here.
    for (const pid of orphans) if (processAlive(pid)) process.kill(pid, "SIGKILL");
    await env?.close();
  });

  it("waits for the orphaned provider (naming it), then plans from its record and converges", async function () {
    const out = JSON.parse((await env.stack.must(["stack", "output", "--json"])).stdout) as { audiences: { orphaned: { audienceId: string } } };
    const audienceId = out.audiences.orphaned.audienceId;
    const record = path.join(env.work, "backend", ".dsp-audiences", "snapshots", "records", `membership-${audienceId}-COOKIE.json`);
    const holderPid = (): number | undefined => {
      const value = JSON.parse(fs.readFileSync(record, "utf8")) as { stage: string; holder?: { pid: number } };
      return value.stage === "sending" ? value.holder?.pid : undefined;
    };

    // Every patch of the up towards v2 takes 30 s, so its provider is still at work when the next up starts.
    writeSpec(v2);
    env.sim.setFaults({ latencyMs: 30_000, routes: ["PATCH /v2/dp/audience"] });
    const up = env.stack.start(["up", "--yes", "--skip-preview"]);
    await waitFor("the sync record to say 'sending'", () => holderPid() !== undefined, LONG);
    const provider = holderPid() as number;
    const tree = processTree(up.pid);
    assert.ok(tree.includes(provider), "the record's holder is the up's provider");
    orphans.push(...tree.slice(1));
    process.kill(up.pid, "SIGKILL"); // the `pulumi` process alone
    await waitFor("the pulumi process to be gone", () => !processAlive(up.pid), LONG);
    assert.ok(processAlive(provider), "its provider lives on");

    // The next up, at once, as docs/recovery.md "Recovering from an interrupted up" says (the lock first), with a changed spec.
    writeSpec(v3);
    await env.run((s) => s.must(["cancel", "--yes"]));
    output = "";
    const next = env.stack.start(["up", "--yes", "--skip-preview"], true, { ownProcessGroup: false });
    const waiting = `orphaned COOKIE: waiting for process ${provider} on host ${hostname()}`;
    await waitFor("the up to say it waits for the orphaned provider", () => output.includes(waiting), LONG);
    assert.ok(processAlive(provider), "the provider was still at work when the up looked");
    env.sim.setFaults({}); // its remaining patches go through
    const result = await next.done;
    env.transcript.push(result.stdout, result.stderr);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`${waiting} \\(heartbeat \\d+ s ago\\), which is still syncing it \\(the provider of an earlier \`pulumi up\`\\), for up to 10 min`));
    assert.ok(result.stdout.includes(`orphaned COOKIE: process ${provider} on host ${hostname()} finished; planning from what it recorded`), result.stdout);
    // The orphan reached v2 and recorded it: the up plans v2 → v3 exactly, nothing in doubt.
    const [in2, in3] = [new Set(v2), new Set(v3)];
    const v2ToV3 = { adds: v3.filter((id) => !in2.has(id)).length, removes: v2.filter((id) => !in3.has(id)).length };
    const fmt = (n: number): string => n.toLocaleString("en-US");
    assert.ok(result.stdout.includes(`orphaned COOKIE: sent +${fmt(v2ToV3.adds)} −${fmt(v2ToV3.removes)} in `), result.stdout);

    assert.deepEqual(sorted((await simMembers(env.sim, audienceId)).COOKIE), sorted(v3), "exactly the new spec");
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "and nothing left to do");
  });
});
