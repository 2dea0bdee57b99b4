/**
 * A small change to a large membership through the real CLI: the program stores the new desired
 * set as a delta beside the backend, preview counts exactly the change, `up` sends exactly it and
 * leaves the spec in the simulator, and the next preview has nothing to do.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { cookieIds } from "../support/synthetic-ids";
import { simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeCookieAudience } from "../support/spec-files";

/** Files under `dir` whose names end with `suffix`. */
function filesEndingWith(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(suffix));
}

describe("a 1 % change stored and planned as a delta (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  const all = cookieIds(20_200, 57);
  const v1 = all.slice(0, 20_000);
  const v2 = [...all.slice(200, 20_000), ...all.slice(20_000)]; // −200 +200
  let env: SimulatedStack;
  let specDir: string;
  const writeSpec = (ids: readonly string[]): string => writeCookieAudience(specDir, "churned", "Churned audience", ids);

  before(async function () {
    env = await startSimulatedStack("", "deltas");
    specDir = path.join(env.work, "spec");
    fs.mkdirSync(specDir, { recursive: true });
    writeSpec(v1);
    await env.run((s) => s.setConfig("dsp:spec", path.join(specDir, "audiences.yaml")));
    assert.equal((await env.run((s) => s.up())).code, 0);
  });

  after(async function () {
    await env?.close();
  });

  it("previews and sends exactly the change, and converges", async function () {
    const backend = path.join(env.work, "backend");
    assert.deepEqual(filesEndingWith(backend, ".delta.zst"), [], "the first set is stored whole");
    writeSpec(v2);
    const preview = await env.run((s) => s.preview([]));
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /churned COOKIE: \+200 −200 IDs \(19,800 unchanged\)/);
    assert.equal(filesEndingWith(backend, ".delta.zst").length, 1, "the changed set is stored as a delta");
    const up = await env.run((s) => s.up());
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /churned COOKIE: sent \+200 −200 in \d+ requests/);
    const out = JSON.parse((await env.stack.must(["stack", "output", "--json"])).stdout) as { audiences: { churned: { audienceId: string } } };
    const members = (await simMembers(env.sim, out.audiences.churned.audienceId)).COOKIE;
    assert.deepEqual([...members].sort(), [...v2].sort());
    assert.equal((await env.run((s) => s.preview(["--expect-no-changes"]))).code, 0, "a second up has nothing to send");
  });
});
