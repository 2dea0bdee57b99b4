/**
 * Audience metadata after failed and interrupted ups, through the real CLI against the simulator.
 * One stack per scenario, so each runs on its own (`--grep`), with named checkpoints:
 *
 * 1. A PUT that Amazon applied and answered 500, then a changed spec.
 * 2. A create whose answer arrived while the engine could not write the state, then `kill -9`.
 * 3. A create that Amazon applied and answered 500 (its answer lost): "already exists", then `adopt:`.
 *
 * Each converges in one more `up` (after the `adopt:` the error asks for, in 3), whose preview says
 * what it will do; the request log shows what that up sent, the simulator ends holding exactly the
 * spec's metadata, and `pulumi preview --expect-no-changes` passes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readCreateRecord } from "../../provider/audience/audience-record";
import { FileSnapshotStore } from "../../provider/snapshots";
import { SNAPSHOTS_BESIDE_BACKEND } from "../../provider/config/snapshot-location";
import { killProcessTree, processAlive } from "../support/process-tree";
import { waitFor } from "../support/wait-for";
import { audiences, lastSeq, requestLog, type SimRequestLogEntry } from "../support/sim-admin";
import { simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles } from "../support/spec-files";
import type { PulumiResult } from "../../tools/pulumi-cli";
import { cookieIds } from "../support/synthetic-ids";

const ADVERTISER = "42";
const COUNTRIES: ["US"] = ["US"];

/** The metadata of the one audience a scenario's spec holds. */
interface AudienceSpec {
  key: string;
  name: string;
  description: string;
  ttl: number;
  adopt?: string;
  cookies?: readonly string[];
}

function writeSpec(dir: string, a: AudienceSpec): string {
  return writeSpecFiles(
    dir,
    {
      version: 1,
      defaults: { advertiserId: ADVERTISER, dataSourceCountry: COUNTRIES },
      audiences: {
        [a.key]: {
          name: a.name,
          description: a.description,
          ttl: a.ttl,
          ...(a.adopt === undefined ? {} : { adopt: a.adopt }),
          ...(a.cookies === undefined ? {} : { members: { COOKIE: { file: "cookies.txt" } } }),
        },
      },
    },
    a.cookies === undefined ? {} : { "cookies.txt": a.cookies },
  );
}

/** Runs one step of a scenario; a failure names the step. */
async function checkpoint<T>(name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof Error) error.message = `[checkpoint: ${name}] ${error.message}`;
    throw error;
  }
}

/** The Amazon API requests (token requests and the admin API left out) after `since`, as `METHOD path -> status`. */
async function apiRequests(env: SimulatedStack, since: number): Promise<SimRequestLogEntry[]> {
  return (await requestLog(env.sim.url, since)).filter((e) => e.path.startsWith("/v2/") || e.path.startsWith("/dp/"));
}

const shown = (entries: readonly SimRequestLogEntry[]): string[] =>
  entries.map((e) => `${e.method} ${e.path} -> ${e.status}${e.fields ? ` [${e.fields.join(",")}]` : ""}${e.fault ? ` (${e.fault})` : ""}`);

/** The simulator's audiences with this externalAudienceId: there must be exactly one. */
async function theAudience(env: SimulatedStack, externalAudienceId: string): Promise<Record<string, unknown> & { id: string }> {
  const found = (await audiences(env.sim.url)).filter((a) => a.externalAudienceId === externalAudienceId);
  assert.equal(found.length, 1, `one audience with externalAudienceId "${externalAudienceId}" in the simulator, found ${found.length}`);
  return found[0]!;
}

async function assertHoldsSpec(env: SimulatedStack, a: AudienceSpec): Promise<void> {
  const remote = await theAudience(env, a.key);
  assert.deepEqual(
    {
      name: remote.name,
      description: remote.description,
      advertiserId: remote.advertiserId,
      externalAudienceId: remote.externalAudienceId,
      ttl: remote.ttl,
      dataSourceCountry: remote.dataSourceCountry,
      audienceFees: remote.audienceFees,
    },
    { name: a.name, description: a.description, advertiserId: ADVERTISER, externalAudienceId: a.key, ttl: a.ttl, dataSourceCountry: COUNTRIES, audienceFees: [] },
  );
  if (a.cookies !== undefined) assert.deepEqual([...(await simMembers(env.sim, remote.id)).COOKIE].sort(), [...a.cookies].sort());
}

async function stackAudienceId(env: SimulatedStack, key: string): Promise<string | undefined> {
  const out = JSON.parse((await env.stack.must(["stack", "output", "--json"])).stdout) as { audiences?: Record<string, { audienceId: string }> };
  return out.audiences?.[key]?.audienceId;
}

function assertCleanError(output: string): void {
  assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+\)?\n/, `a stack trace in:\n${output}`);
}

/** A preview that sends nothing but reads. */
async function previewSendsNothing(env: SimulatedStack, extra: string[] = []): Promise<string> {
  const since = await lastSeq(env.sim.url);
  const preview = await env.run((s) => s.preview(extra));
  assert.equal(preview.code, 0, preview.stdout + preview.stderr);
  assert.deepEqual(
    shown(await apiRequests(env, since)).filter((r) => !r.startsWith("GET ")),
    [],
    "a preview changes nothing at Amazon",
  );
  return preview.stdout;
}

/** `pulumi preview --expect-no-changes` passes and re-sends nothing. */
async function assertNothingLeft(env: SimulatedStack): Promise<void> {
  const out = await previewSendsNothing(env, ["--expect-no-changes"]);
  assert.doesNotMatch(out, /re-sent|adopts audience/);
}

describe("audience recovery through the real CLI: each failure converges in one more up, previewed", function () {
  this.timeout(15 * 60 * 1000);

  describe("a metadata PUT applied then answered 500, then a changed spec", function () {
    let env: SimulatedStack;
    let specDir: string;
    const v1: AudienceSpec = { key: "in-doubt", name: "Metadata in doubt 2026", description: "first", ttl: 86400 };
    const v2: AudienceSpec = { ...v1, description: "second" };
    // The next day's spec: the description as the failed up wanted it, and a new ttl.
    const v3: AudienceSpec = { ...v2, ttl: 172800 };

    before(async function () {
      env = await startSimulatedStack("", "mdoubt");
      specDir = path.join(env.work, "spec");
      await env.run((s) => s.setConfig("dsp:spec", writeSpec(specDir, v1)));
      await env.run((s) => s.up());
    });

    after(async function () {
      await env?.close();
    });

    it("re-sends the in-doubt field with the changed one in one PUT, and says so in the preview", async function () {
      const id = (await stackAudienceId(env, v1.key))!;
      await assertHoldsSpec(env, v1);

      await checkpoint("the PUT is applied and answered 500 on every attempt: one clean error, fields in doubt", async () => {
        writeSpec(specDir, v2);
        env.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: [`PUT /v2/dp/audiencemetadata/${id}`] });
        const since = await lastSeq(env.sim.url);
        const failed = await env.run((s) => s.run(["up", "--yes", "--skip-preview"]));
        env.sim.setFaults({});
        assert.notEqual(failed.code, 0);
        const out = failed.stdout + failed.stderr;
        assert.match(out, new RegExp(`audience "${v1.name}" \\(${id}\\): updating description failed and may or may not have been applied: `));
        // The last answer, then one full stop: the message reads as one sentence.
        assert.match(out, /last error: DspHttpError: request failed \(HTTP 50[03], [^\n]*[^.]\. The next `pulumi up` sends these fields again with the values the spec then has\./);
        assertCleanError(out);
        const sent = shown(await apiRequests(env, since));
        assert.ok(sent.length > 0, "the up sent the PUT");
        for (const r of sent) assert.match(r, new RegExp(`^PUT /v2/dp/audiencemetadata/${id} -> 50[03] \\[description\\] \\(applyThenFail:50[03]\\)$`));
        assert.equal((await theAudience(env, v1.key)).description, "second", "Amazon applied it");
      });

      await checkpoint("the preview of the changed spec says the up re-sends description with ttl", async () => {
        writeSpec(specDir, v3);
        const out = await previewSendsNothing(env);
        assert.match(out, new RegExp(`DataProviderAudience\\s+${v1.key}\\s+update`));
        assert.ok(
          out.includes(`audience "${v1.name}" (${id}): PUT description, ttl; description re-sent, as its last PUT may or may not have been applied (a failed or interrupted up)`),
          out,
        );
      });

      await checkpoint("one up sends exactly that PUT and the simulator holds the spec", async () => {
        const since = await lastSeq(env.sim.url);
        await env.run((s) => s.up());
        assert.deepEqual(shown(await apiRequests(env, since)), [`PUT /v2/dp/audiencemetadata/${id} -> 200 [description,metadata.ttl]`]);
        await assertHoldsSpec(env, v3);
      });

      await checkpoint("nothing is left to do", () => assertNothingLeft(env));
    });
  });

  describe("a create answered while the engine could not write the state, then kill -9", function () {
    let env: SimulatedStack;
    let specDir: string;
    const spec: AudienceSpec = { key: "killed-create", name: "Killed before its state 2026", description: "kept", ttl: 86400, cookies: cookieIds(20, 41) };

    before(async function () {
      env = await startSimulatedStack("", "kcreate");
      specDir = path.join(env.work, "spec");
      fs.mkdirSync(specDir, { recursive: true });
      await env.run((s) => s.setConfig("dsp:spec", writeSpec(specDir, spec)));
    });

    after(async function () {
      await env?.close();
    });

    it("adopts the audience the killed up created: no second create, and the preview says so", async function () {
      const store = new FileSnapshotStore(path.join(env.work, "backend", SNAPSHOTS_BESIDE_BACKEND));
      const createRecord = () => readCreateRecord(store, ADVERTISER, spec.key);

      const created = await checkpoint("the create is answered and recorded, the state is not written, everything is killed", async () => {
        // The create waits 3 s at Amazon; meanwhile the engine is stopped, so the provider gets
        // the answer and records it, but nothing can write the state: then the job is killed.
        env.sim.setFaults({ latencyMs: 3000, routes: ["POST /v2/dp/audiencemetadata"], count: 1 });
        const up = env.stack.start(["up", "--yes", "--skip-preview"]);
        let ended: PulumiResult | undefined;
        void up.done.then((r) => (ended = r));
        // However slow the machine, the wait ends with the up if it ends first, and says why.
        await waitFor(
          "the create record written before the POST",
          async () => {
            if (ended !== undefined) throw new Error(`the up ended (exit ${ended.code}) before its create:\n${ended.stdout}\n${ended.stderr}`);
            return (await createRecord())?.stage === "sending";
          },
          { attempts: 24_000 },
        );
        process.kill(up.pid, "SIGSTOP");
        await waitFor("the create's answer recorded", async () => (await createRecord())?.audienceId !== undefined);
        const tree = killProcessTree(up.pid);
        const killed = await up.done;
        env.transcript.push(killed.stdout, killed.stderr);
        await waitFor("every killed process to be gone", async () => tree.every((p) => !processAlive(p)));
        env.sim.setFaults({});
        const exported = JSON.parse(await env.stack.exportState()) as { deployment: { resources?: Array<{ type: string }> } };
        assert.deepEqual((exported.deployment.resources ?? []).filter((r) => r.type.endsWith("DataProviderAudience")), [], "the state holds no audience");
        const audienceId = (await createRecord())!.audienceId!;
        assert.equal((await theAudience(env, spec.key)).id, audienceId, "Amazon holds the audience the record names");
        return audienceId;
      });

      await checkpoint("pulumi cancel removes the killed up's lock", async () => {
        const cancel = await env.run((s) => s.must(["cancel", "--yes"]));
        assert.match(cancel.stdout, /The currently running update for '.*' has been canceled!/);
      });

      await checkpoint("the preview says the up adopts that audience and fills it", async () => {
        const out = await previewSendsNothing(env);
        assert.match(out, new RegExp(`DataProviderAudience\\s+${spec.key}\\s+create`));
        assert.ok(
          out.includes(
            `audience "${spec.name}": adopts audience ${created}, which an earlier \`pulumi up\` created for externalAudienceId "${spec.key}" but did not record: ` +
              "reads it, then updates the fields that differ from the spec (no new audience is created)",
          ),
          out,
        );
        assert.match(out, new RegExp(`${spec.key} COOKIE: \\+20 −0 IDs`));
      });

      await checkpoint("one up reads the audience instead of creating one, and fills it", async () => {
        const since = await lastSeq(env.sim.url);
        const up = await env.run((s) => s.up());
        assert.match(up.stdout, new RegExp(`audience "${spec.name}": adopting ${created}, which this tool created earlier`));
        assert.deepEqual(shown(await apiRequests(env, since)), [`GET /v2/dp/audiencemetadata/${created} -> 200`, "PATCH /v2/dp/audience -> 200"]);
        assert.equal(await stackAudienceId(env, spec.key), created);
        await assertHoldsSpec(env, spec);
      });

      await checkpoint("nothing is left to do", () => assertNothingLeft(env));
    });
  });

  describe("a create applied and answered 500 (its answer lost): 'already exists', then adopt:", function () {
    let env: SimulatedStack;
    let specDir: string;
    const v1: AudienceSpec = { key: "lost-create", name: "Lost before its answer 2026", description: "first", ttl: 86400 };

    before(async function () {
      env = await startSimulatedStack("", "lcreate");
      specDir = path.join(env.work, "spec");
      await env.run((s) => s.setConfig("dsp:spec", writeSpec(specDir, v1)));
    });

    after(async function () {
      await env?.close();
    });

    it("fails cleanly with the adopt: hint, and converges in one up once the spec adopts the id", async function () {
      const adoptSteps = `To manage it: find the audience named "${v1.name}" (externalAudienceId "${v1.key}") in the Amazon DSP console, copy its audience id, add \`adopt: "<that id>"\` to this audience in the spec (library: \`adoptId\`)`;

      const lost = await checkpoint("the create is applied and answered 500: not retried, one clean error with the adopt hint", async () => {
        env.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["POST /v2/dp/audiencemetadata"] });
        const since = await lastSeq(env.sim.url);
        const failed = await env.run((s) => s.run(["up", "--yes", "--skip-preview"]));
        env.sim.setFaults({});
        assert.notEqual(failed.code, 0);
        const out = failed.stdout + failed.stderr;
        assert.match(out, /error: POST \/v2\/dp\/audiencemetadata: request failed \(HTTP 50[03], /);
        assert.match(
          out,
          new RegExp(`The audience "${v1.name}" \\(externalAudienceId "${v1.key}", advertiser ${ADVERTISER}\\) may have been created: the request may have reached Amazon, and a create is not retried`),
        );
        assert.ok(out.includes(adoptSteps), out);
        assertCleanError(out);
        const sent = shown(await apiRequests(env, since));
        assert.equal(sent.length, 1, `one POST, not retried: ${sent.join("; ")}`);
        assert.match(sent[0]!, /^POST \/v2\/dp\/audiencemetadata\/ -> 50[03] \[.*metadata\.externalAudienceId.*\] \(applyThenFail:50[03]\)$/);
        return (await theAudience(env, v1.key)).id;
      });

      await checkpoint("the preview warns that the create will most likely meet 'already exists'", async () => {
        const out = await previewSendsNothing(env);
        assert.match(out, new RegExp(`DataProviderAudience\\s+${v1.key}\\s+create`));
        assert.ok(
          out.includes(`audience "${v1.name}": an earlier \`pulumi up\` sent its create and got no answer, so Amazon may already have it; if so, this up's create fails with "already exists".`),
          out,
        );
      });

      await checkpoint("'already exists': one clean error with the adopt hint, nothing created", async () => {
        const since = await lastSeq(env.sim.url);
        const failed = await env.run((s) => s.run(["up", "--yes", "--skip-preview"]));
        assert.notEqual(failed.code, 0);
        const out = failed.stdout + failed.stderr;
        assert.match(out, new RegExp(`An audience with externalAudienceId '${v1.key}' already exists for advertiser ${ADVERTISER}`));
        assert.match(out, new RegExp(`Amazon already has an audience with externalAudienceId "${v1.key}" for advertiser ${ADVERTISER}: most likely an earlier \`pulumi up\` created it`));
        assert.ok(out.includes(`${adoptSteps}, and run \`pulumi up\` again.`), out);
        assertCleanError(out);
        assert.deepEqual(shown(await apiRequests(env, since)).map((r) => r.replace(/ \[.*\]/, "")), ["POST /v2/dp/audiencemetadata/ -> 400"]);
        await theAudience(env, v1.key);
      });

      // The user finds the id in the DSP console (here: the simulator's admin API), adopts it, and edits the description.
      const adopted: AudienceSpec = { ...v1, description: "adopted", adopt: lost };

      await checkpoint("with adopt: the preview says the up adopts the audience", async () => {
        writeSpec(specDir, adopted);
        const out = await previewSendsNothing(env);
        assert.match(out, new RegExp(`DataProviderAudience\\s+${v1.key}\\s+create`));
        assert.ok(
          out.includes(`audience "${v1.name}": adopts audience ${lost} instead of creating one: reads it, then updates the fields that differ from the spec`),
          out,
        );
      });

      await checkpoint("one up reads the audience and PUTs the changed description, nothing created", async () => {
        const since = await lastSeq(env.sim.url);
        await env.run((s) => s.up());
        assert.deepEqual(shown(await apiRequests(env, since)), [`GET /v2/dp/audiencemetadata/${lost} -> 200`, `PUT /v2/dp/audiencemetadata/${lost} -> 200 [description]`]);
        assert.equal(await stackAudienceId(env, v1.key), lost);
        await assertHoldsSpec(env, adopted);
      });

      await checkpoint("nothing is left to do", () => assertNothingLeft(env));
    });
  });
});
