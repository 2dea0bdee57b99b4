import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { cookieIds } from "../support/synthetic-ids";
import { patchLog, simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeCookieAudience } from "../support/spec-files";
import { waitFor } from "../support/wait-for";

describe("an up interrupted by a failure storm keeps Amazon's accepted progress (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  const ids = cookieIds(300_000, 21);
  let env: SimulatedStack;

  before(async function () {
    env = await startSimulatedStack("", "partial");
    const dir = path.join(env.work, "spec");
    fs.mkdirSync(dir, { recursive: true });
    const spec = writeCookieAudience(dir, "big-one", "A big cookie audience", ids);
    await env.run((s) => s.setConfig("dsp:spec", spec));
  });

  after(async function () {
    await env?.close();
  });

  it("fails part way, records the accepted part, and the next up sends only the rest", async function () {
    // Start the up, and once some patches are in, make every further patch fail.
    const first = env.run((s) => s.run(["up", "--yes", "--skip-preview"]));
    await waitFor("10 patches of the up", async () => (await patchLog(env)).filter((e) => e.status === 200).length >= 10);
    env.sim.setFaults({ seed: 7, rate5xx: 1, paths: ["/v2/dp/audience"] });
    const failed = await first;
    assert.notEqual(failed.code, 0, "the first up fails");
    assert.match(failed.stdout + failed.stderr, /that progress is recorded, and the next `pulumi up` sends only the rest/);

    const acceptedFirst = (await patchLog(env)).filter((e) => e.status === 200);
    const sentFirst = acceptedFirst.reduce((n, e) => n + (e.patches ?? 0), 0);
    assert.ok(sentFirst > 0 && sentFirst < ids.length, `part of the set was accepted (${sentFirst})`);

    const exported = JSON.parse(await env.stack.exportState()) as {
      deployment: { resources: Array<{ type: string; outputs?: { appliedCount?: number; inDoubtCount?: number } }> };
    };
    const membership = exported.deployment.resources.find((r) => r.type.endsWith("AudienceMembership"));
    assert.equal(membership?.outputs?.appliedCount, sentFirst, "state records exactly what Amazon accepted");
    // The requests answered 5xx may have been applied: they are in doubt, and sent again.
    const inDoubt = membership?.outputs?.inDoubtCount ?? 0;
    assert.ok(inDoubt > 0 && inDoubt % 2000 === 0, `whole requests are in doubt (${inDoubt})`);
    assert.match(failed.stdout + failed.stderr, new RegExp(`${inDoubt.toLocaleString("en-US")} IDs are in doubt`));

    env.sim.setFaults({});
    const seqAfterFailure = Math.max(0, ...(await patchLog(env)).map((e) => e.seq));
    await env.run((s) => s.up());
    const acceptedSecond = (await patchLog(env)).filter((e) => e.seq > seqAfterFailure && e.status === 200);
    const sentSecond = acceptedSecond.reduce((n, e) => n + (e.patches ?? 0), 0);
    // The in-doubt requests were answered 5xx without being applied here (no applyThenFail), so
    // resending them is what completes the set: every ID accepted exactly once.
    assert.equal(sentFirst + sentSecond, ids.length, "nothing lost and nothing accepted twice");

    const out = JSON.parse((await env.stack.must(["stack", "output", "--json"])).stdout) as { audiences: { "big-one": { audienceId: string } } };
    const remote = await simMembers(env.sim, out.audiences["big-one"].audienceId);
    assert.equal(remote.COOKIE.length, ids.length);
    assert.deepEqual(new Set(remote.COOKIE), new Set(ids));
  });
});
