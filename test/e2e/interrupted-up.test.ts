/**
 * `kill -9` of `pulumi up` in the middle of a membership sync, through the real CLI: patches have
 * reached Amazon, no state was written. The spec is then reverted, the stack recovered exactly
 * as docs/recovery.md "Recovering from an interrupted up" says, and one `up` must leave exactly the
 * reverted spec in the simulator.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { killProcessTree, processAlive } from "../support/process-tree";
import { cookieIds } from "../support/synthetic-ids";
import { patchLog, simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles } from "../support/spec-files";
import { waitFor } from "../support/wait-for";

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** IDs in `a` and not in `b`, and the other way round: small enough to print. */
function difference(have: readonly string[], want: readonly string[]): { extra: number; missing: number } {
  const h = new Set(have);
  const w = new Set(want);
  return { extra: have.filter((x) => !w.has(x)).length, missing: want.filter((x) => !h.has(x)).length };
}

describe("kill -9 of pulumi up mid-sync, revert, recover as docs/recovery.md says (real CLI)", function () {
  this.timeout(15 * 60 * 1000);
  const all = cookieIds(70_000, 31);
  const v1 = all.slice(0, 30_000);
  // v2 removes 10,000 and adds 40,000: 25 requests of 2,000 patches, 16 in flight at a time.
  const v2 = [...all.slice(10_000, 30_000), ...all.slice(30_000, 70_000)];
  let env: SimulatedStack;
  let specDir: string;
  const writeSpec = (ids: readonly string[], description: string): void => {
    writeSpecFiles(
      specDir,
      {
        version: 1,
        defaults: { advertiserId: "42", dataSourceCountry: ["US"] },
        audiences: { killed: { name: "An audience whose up is killed", description, members: { COOKIE: { file: "cookies.txt" } } } },
      },
      { "cookies.txt": ids },
    );
  };

  before(async function () {
    env = await startSimulatedStack("", "killed");
    specDir = path.join(env.work, "spec");
    fs.mkdirSync(specDir, { recursive: true });
    writeSpec(v1, "first");
    await env.run((s) => s.setConfig("dsp:spec", path.join(specDir, "audiences.yaml")));
    await env.run((s) => s.up());
  });

  after(async function () {
    await env?.close();
  });

  it("converges exactly on the reverted spec with one up after the recovery", async function () {
    const out = JSON.parse((await env.stack.must(["stack", "output", "--json"])).stdout) as { audiences: { killed: { audienceId: string } } };
    const audienceId = out.audiences.killed.audienceId;
    assert.deepEqual(sorted((await simMembers(env.sim, audienceId)).COOKIE), sorted(v1));

    // Slow every membership patch down, start the up towards v2, and kill it (the whole process
    // tree, as a cancelled CI job) once Amazon has applied some of its patches.
    writeSpec(v2, "second");
    env.sim.setFaults({ latencyMs: 400, routes: ["PATCH /v2/dp/audience"] });
    const before = (await patchLog(env)).length;
    const up = env.stack.start(["up", "--yes", "--skip-preview"]);
    await waitFor("3 patches of the up", async () => (await patchLog(env)).filter((e) => e.status === 200).length - before >= 3);
    const tree = killProcessTree(up.pid);
    assert.ok(tree.length >= 3, `the CLI, its language host and the provider (${tree.length} processes)`);
    const killed = await up.done;
    env.transcript.push(killed.stdout, killed.stderr);
    await waitFor("every killed process to be gone", async () => tree.every((p) => !processAlive(p)));
    assert.notEqual(killed.code, 0);
    env.sim.setFaults({});
    const reached = (await simMembers(env.sim, audienceId)).COOKIE;
    assert.notDeepEqual(difference(reached, v1), { extra: 0, missing: 0 }, "some of the up's patches reached Amazon");

    // The PR is reverted.
    writeSpec(v1, "first");

    // Recovery, as docs/recovery.md "Recovering from an interrupted up" says. The file backend keeps the
    // killed update's lock: `up` refuses until `pulumi cancel` removes it.
    const locked = await env.stack.run(["up", "--yes", "--skip-preview"]);
    env.transcript.push(locked.stdout, locked.stderr);
    assert.notEqual(locked.code, 0);
    assert.match(locked.stderr + locked.stdout, /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./);
    const cancel = await env.run((s) => s.must(["cancel", "--yes"]));
    assert.match(cancel.stdout, /The currently running update for '.*' has been canceled!/);

    // Preview states what the up sends, by direction, and which part of it is a re-send; the
    // simulator's request log shows the up sends exactly that.
    const preview = await env.run((s) => s.preview([]));
    assert.equal(preview.code, 0);
    const line = /killed COOKIE: \+(\d[\d,]*) −(\d[\d,]*) IDs \(([\d,]+) unchanged; ([\d,]+) of them re-sent after an interrupted up: \+([\d,]+) −([\d,]+)\)/.exec(preview.stdout);
    assert.ok(line, preview.stdout);
    const n = (x: string | undefined): number => Number((x ?? "0").replace(/,/g, ""));
    assert.equal(n(line[5]) + n(line[6]), n(line[4]), "the re-sends by direction add up");
    const patchesBefore = (await patchLog(env)).length;
    const up2 = await env.run((s) => s.up());
    assert.match(up2.stdout, /warning: Attempting to deploy or update resources with 1 pending operations from previous deployment\./);
    assert.ok(up2.stdout.includes(line[0]), "the up plans what the preview showed");
    const patches = (await patchLog(env)).slice(patchesBefore);
    assert.ok(patches.every((p) => p.status === 200), "a clean up");
    const sum = (key: "adds" | "removes"): number => patches.reduce((total, p) => total + (p[key] ?? 0), 0);
    assert.deepEqual({ adds: sum("adds"), removes: sum("removes") }, { adds: n(line[1]), removes: n(line[2]) }, "the up sent exactly the preview's +N −M");
    const sent = /killed COOKIE: sent \+([\d,]+) −([\d,]+) in \d+ requests \(([\d,]+) of them re-sent\)/.exec(up2.stdout);
    assert.deepEqual([n(sent?.[1]), n(sent?.[2]), n(sent?.[3])], [n(line[1]), n(line[2]), n(line[4])]);

    assert.deepEqual(difference((await simMembers(env.sim, audienceId)).COOKIE, v1), { extra: 0, missing: 0 }, "exactly the reverted spec");
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "and nothing left to do");
  });
});
