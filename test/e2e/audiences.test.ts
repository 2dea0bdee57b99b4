import { strict as assert } from "assert";
import * as path from "path";
import { DspClient, simulatorEndpoint } from "../../provider/client";
import { cookieIds, maidIds } from "../support/synthetic-ids";
import { allFilesText, simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles, type Spec } from "../support/spec-files";
import { scenario } from "../support/checkpoints";

type Members = { COOKIE?: string[]; MAID?: string[] };
interface AudienceSpec {
  key: string;
  name: string;
  externalAudienceId?: string;
  description: string;
  ttl: number;
  members: Members;
}

/** Writes the spec and its ID files (cookies in files, MAIDs inline) into `dir`. */
function writeSpec(dir: string, audiences: AudienceSpec[]): string {
  const spec: Spec = { version: 1, defaults: { advertiserId: "9223372036854775001", dataSourceCountry: ["US"] }, audiences: {} };
  const files: Record<string, readonly string[]> = {};
  for (const a of audiences) {
    spec.audiences[a.key] = {
      name: a.name,
      description: a.description,
      ttl: a.ttl,
      ...(a.externalAudienceId ? { externalAudienceId: a.externalAudienceId } : {}),
      members: {
        ...(a.members.COOKIE ? { COOKIE: { file: `${a.key}-cookies.txt` } } : {}),
        ...(a.members.MAID ? { MAID: a.members.MAID } : {}),
      },
    };
    if (a.members.COOKIE) files[`${a.key}-cookies.txt`] = a.members.COOKIE;
  }
  return writeSpecFiles(dir, spec, files);
}

const sorted = (xs: string[]): string[] => [...xs].sort();

describe("audiences.yaml → pulumi up → the simulator holds exactly the spec (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  const checkpoint = scenario();
  const cookies = cookieIds(3000, 11);
  const maids = maidIds(40, 12);
  const v1: AudienceSpec[] = [
    { key: "e2e-alpha", name: "E2E alpha audience", description: "first", ttl: 2592000, members: { COOKIE: cookies.slice(0, 1500), MAID: maids.slice(0, 10) } },
    { key: "e2e-beta", name: "E2E beta audience", description: "second", ttl: 2592000, members: { COOKIE: cookies.slice(1500, 2500), MAID: maids.slice(10, 20) } },
    { key: "e2e-gamma", name: "E2E gamma audience", description: "third", ttl: 604800, members: { MAID: maids.slice(20, 30) } },
  ];
  // v2: alpha loses 100 cookies, gains 50 new ones, and one of its cookies moves to beta;
  // beta gets a new description and 5 more MAIDs; gamma gets a new ttl.
  const moved = cookies[0] as string;
  const v2: AudienceSpec[] = [
    { ...v1[0]!, members: { COOKIE: [...cookies.slice(101, 1500), ...cookies.slice(2500, 2550)], MAID: maids.slice(0, 10) } },
    { ...v1[1]!, description: "second, edited", members: { COOKIE: [...cookies.slice(1500, 2500), moved], MAID: maids.slice(10, 25) } },
    { ...v1[2]!, ttl: 1209600 },
  ];
  let env: SimulatedStack;
  let specDir: string;
  let ids: Record<string, string>;

  async function assertRemoteEquals(spec: AudienceSpec[]): Promise<void> {
    for (const a of spec) {
      const remote = await simMembers(env.sim, ids[a.key]!);
      assert.deepEqual(sorted(remote.COOKIE), sorted(a.members.COOKIE ?? []), `${a.key} cookies`);
      assert.deepEqual(sorted(remote.MAID), sorted(a.members.MAID ?? []), `${a.key} MAIDs`);
      assert.deepEqual(remote.EXTERNAL_USER_ID, [], `${a.key} external ids`);
    }
  }

  function patchRequests(): Promise<number> {
    return fetch(`${env.sim.url}/__sim/requests?since=0`)
      .then((r) => r.json() as Promise<{ requests: Array<{ method: string; path: string; status: number }> }>)
      .then((log) => log.requests.filter((e) => e.method === "PATCH" && e.path === "/v2/dp/audience" && e.status === 200).length);
  }

  before(async function () {
    env = await startSimulatedStack("", "e2e");
    specDir = path.join(env.work, "spec");
    await env.run((s) => s.setConfig("dsp:spec", writeSpec(specDir, v1)));
  });

  after(async function () {
    await env?.close();
  });

  checkpoint("previews the initial sync with exact counts and changes nothing remotely", async function () {
    const r = await env.run((s) => s.preview());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /e2e-alpha COOKIE: \+1,500 −0 IDs/);
    assert.match(r.stdout, /e2e-beta MAID: \+10 −0 IDs/);
    assert.match(r.stdout, /\+ 9 to create/);
    assert.equal(await patchRequests(), 0, "preview sent no patch");
  });

  checkpoint("creates the audiences with ids above 2^53 and exactly the spec's members", async function () {
    await env.run((s) => s.up());
    const out = await env.run((s) => s.must(["stack", "output", "--json"]));
    const outputs = JSON.parse(out.stdout) as { audiences: Record<string, { audienceId: string }> };
    ids = Object.fromEntries(Object.entries(outputs.audiences).map(([k, v]) => [k, v.audienceId]));
    for (const id of Object.values(ids)) {
      assert.equal(typeof id, "string");
      assert.ok(BigInt(id) > 2n ** 53n, `audience id ${id} exceeds 2^53 and survived as a string`);
    }
    await assertRemoteEquals(v1);
  });

  checkpoint("a second preview expects no changes and sends nothing", async function () {
    const before = await patchRequests();
    const r = await env.run((s) => s.preview(["--expect-no-changes"]));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(await patchRequests(), before);
  });

  checkpoint("previews an edited spec with the exact adds and removes per membership", async function () {
    writeSpec(specDir, v2);
    const r = await env.run((s) => s.preview());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /e2e-alpha COOKIE: \+50 −101 IDs \(1,399 unchanged\)/);
    assert.match(r.stdout, /e2e-beta COOKIE: \+1 −0 IDs \(1,000 unchanged\)/);
    assert.match(r.stdout, /e2e-beta MAID: \+5 −0 IDs \(10 unchanged\)/);
    assert.doesNotMatch(r.stdout, /e2e-gamma MAID: \+/, "gamma's members did not change");
    assert.match(r.stdout, /DataProviderAudience e2e-beta update \[diff: ~description\]/);
    assert.match(r.stdout, /DataProviderAudience e2e-gamma update \[diff: ~ttl\]/);
    assert.match(r.stdout, /~ 5 to update/);
    assert.doesNotMatch(r.stdout, /to replace/);
  });

  checkpoint("applies the edit, then the remote equals the spec again and a second up is a no-op", async function () {
    const before = await patchRequests();
    await env.run((s) => s.up());
    await assertRemoteEquals(v2);
    const audiences = (await (await fetch(`${env.sim.url}/__sim/audiences`)).json()) as { audiences: Array<{ id: string; description: string; ttl: number }> };
    const byId = new Map(audiences.audiences.map((a) => [a.id, a]));
    assert.equal(byId.get(ids["e2e-beta"]!)?.description, "second, edited");
    assert.equal(byId.get(ids["e2e-gamma"]!)?.ttl, 1209600);
    const sent = (await patchRequests()) - before;
    assert.equal(sent, 3, "one request per changed membership (alpha cookies, beta cookies, beta MAIDs)");
    const again = await env.run((s) => s.preview(["--expect-no-changes"]));
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });

  checkpoint("finds out-of-band metadata changes on refresh and puts them back on up", async function () {
    const client = new DspClient({
      endpoint: simulatorEndpoint(env.sim.url),
      credentials: { clientId: "amzn1.application-oa2-client.e2e", ...env.secrets },
    });
    await client.updateAudience(ids["e2e-alpha"]!, { description: "changed in the console" });
    client.close();
    await env.run((s) => s.refresh());
    const drift = await env.run((s) => s.preview(["--expect-no-changes", "--diff"]));
    assert.notEqual(drift.code, 0, "the drift is a pending change");
    assert.match(drift.stdout, /description\s*:\s*"changed in the console" => "first"/);
    assert.match(drift.stdout, /~ 1 to update/);
    await env.run((s) => s.up());
    const audiences = (await (await fetch(`${env.sim.url}/__sim/audiences`)).json()) as { audiences: Array<{ id: string; description: string }> };
    assert.equal(audiences.audiences.find((a) => a.id === ids["e2e-alpha"])?.description, "first");
  });

  checkpoint("a new name replaces the audience: members move to the new one, the old one is emptied and left", async function () {
    const v3 = [v2[0]!, v2[1]!, { ...v2[2]!, name: "E2E gamma audience, renamed", externalAudienceId: "e2e-gamma-v2" }];
    writeSpec(specDir, v3);
    const oldId = ids["e2e-gamma"]!;
    const r = await env.run((s) => s.up());
    assert.match(r.stdout, /E2E gamma audience" \(\d+\) is left in Amazon DSP/);
    const out = await env.run((s) => s.must(["stack", "output", "--json"]));
    const newId = (JSON.parse(out.stdout) as { audiences: Record<string, { audienceId: string }> }).audiences["e2e-gamma"]!.audienceId;
    assert.notEqual(newId, oldId);
    assert.deepEqual((await simMembers(env.sim, oldId)).MAID, [], "the old audience was emptied");
    assert.deepEqual(sorted((await simMembers(env.sim, newId)).MAID), sorted(v3[2]!.members.MAID!));
    ids["e2e-gamma"] = newId;
    ids["e2e-gamma-old"] = oldId;
  });

  checkpoint("destroy removes every member it added and warns that audiences stay", async function () {
    const r = await env.run((s) => s.destroy());
    assert.match(r.stdout, /left in Amazon DSP: the Data Provider API has no DELETE/);
    for (const id of Object.values(ids)) {
      const remote = await simMembers(env.sim, id);
      assert.deepEqual([remote.COOKIE, remote.MAID, remote.EXTERNAL_USER_ID], [[], [], []]);
    }
  });

  checkpoint("never lets a secret into state, snapshots or any output", async function () {
    const files = allFilesText(path.join(env.work, "backend"));
    assert.ok(files.some((f) => f.file.endsWith(".json")), "the backend holds the stack's state");
    assert.ok(files.some((f) => f.file.endsWith(".ids.zst")), "snapshots sit beside the backend");
    for (const secret of [env.secrets.clientSecret, env.secrets.refreshToken]) {
      for (const f of files) assert.ok(!f.text.includes(secret), `secret found in ${f.file}`);
      for (const out of env.transcript) assert.ok(!out.includes(secret), "secret found in CLI output");
    }
    for (const f of files) assert.ok(!/Atza\|/.test(f.text), `an access token in ${f.file}`);
  });
});
