/**
 * `dsp-audiences adopt` against the in-process simulator: audiences created by another client are
 * read back into entries whose values are Amazon's, at the metadata lane's pace.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adoptCommand } from "../../../provider/cli/adopt-command";
import type { CommandIo } from "../../../provider/cli/command-io";
import { DspClient, simulatorEndpoint } from "../../../provider/client";
import { parseSpec } from "../../../provider/spec";
import { SIMULATOR_CREDENTIALS, startSimulator, type RunningSimulator } from "../../../simulator";
import { fullLog, lastSeq } from "../../support/sim-admin";

function testIo(env: NodeJS.ProcessEnv): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (t) => stderr.push(t), env, errIsTty: false, now: () => 0 };
}

describe("dsp-audiences adopt (simulator)", function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let dir: string;
  let ids: string[];
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // Unthrottled: the pacing belongs to the client, whose metadata lane is tested in test/unit/client.
    sim = await startSimulator({ port: 0, limits: { metadataTps: 0 } });
    env = { DSP_CLIENT_ID: SIMULATOR_CREDENTIALS.clientId, DSP_CLIENT_SECRET: SIMULATOR_CREDENTIALS.clientSecret, DSP_REFRESH_TOKEN: SIMULATOR_CREDENTIALS.refreshToken, DSP_ENDPOINT: sim.url };
    const client = new DspClient({ endpoint: simulatorEndpoint(sim.url), credentials: SIMULATOR_CREDENTIALS, throttle: { metadata: { ratePerSecond: 1000 } } });
    const base = { advertiserId: "9007199254740993", description: "Made in the console" };
    ids = [
      (await client.createAudience({ ...base, name: "Console audience one", externalAudienceId: "console-1", dataSourceCountry: ["US"], ttl: 86400, audienceFees: [{ cpmCents: 90, currency: "USD" }] })).audienceId,
      (await client.createAudience({ ...base, name: "Console audience two", externalAudienceId: "Console 2", dataSourceCountry: ["GB", "DE"] })).audienceId,
    ];
    client.close();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "adopt-"));
  });

  after(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("prints an entry per audience from one GET each, with progress on stderr", async () => {
    const since = await lastSeq(sim.url);
    const io = testIo(env);
    assert.equal(await adoptCommand(ids, io), 0, io.stderr.join(""));
    assert.match(io.stderr.join(""), new RegExp(`^reading 2 audiences at 1 request/s\\n\\[1/2\\] ${ids[0]}: Console audience one\\n\\[2/2\\] ${ids[1]}: Console audience two\\n$`));
    const spec = parseSpec(`version: 1\n${io.stdout.join("\n")}\n`, "pasted.yaml");
    assert.deepEqual(
      spec.audiences.map((a) => [a.key, a.adopt, a.name, a.externalAudienceId, a.advertiserId, a.dataSourceCountry, a.ttl, a.audienceFees]),
      [
        ["console-1", ids[0], "Console audience one", "console-1", "9007199254740993", ["US"], 86400, [{ cpmCents: 90, currency: "USD" }]],
        ["console-2", ids[1], "Console audience two", "Console 2", "9007199254740993", ["GB", "DE"], 34300800, []],
      ],
    );
    const gets = (await fullLog(sim.url, since)).filter((r) => r.method === "GET" && r.path.startsWith("/v2/dp/audiencemetadata/"));
    assert.equal(gets.length, 2);
  });

  it("writes into a spec, reports an audience Amazon does not have, and exits 1", async () => {
    const file = path.join(dir, "audiences.yaml");
    fs.writeFileSync(file, "# ours\nversion: 1\naudiences:\n  kept:   # stays\n    name: Kept audience 1\n    advertiserId: 1\n    dataSourceCountry: [US]\n");
    const io = testIo(env);
    assert.equal(await adoptCommand([ids[0] as string, "72057594037999999", "--write", file], io), 1);
    assert.match(io.stderr.join(""), /\[2\/2\] 72057594037999999: ✗ GET \/v2\/dp\/audiencemetadata\/\{audienceId\}: .*404/);
    assert.match(io.stderr.join(""), /✗ 1 of 2 audiences could not be read\n$/);
    assert.deepEqual(io.stdout, [`✓ ${file}: 1 audience added (console-1); add their members, then \`dsp-audiences validate ${file}\``]);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.startsWith("# ours\nversion: 1\naudiences:\n  kept:   # stays\n"));
    assert.deepEqual(parseSpec(text, "audiences.yaml").audiences.map((a) => a.key), ["kept", "console-1"]);
  });

  it("reads nothing when a setting is missing, and says which", async () => {
    const io = testIo({ DSP_ENDPOINT: sim.url });
    assert.equal(await adoptCommand([ids[0] as string], io), 2);
    assert.match(io.stderr.join(""), /Missing DSP credentials: dsp:clientId \(or DSP_CLIENT_ID\)/);
  });
});
