import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { promisify } from "util";
import { allFilesText, requestLog as requestLogOf, simMembers, startSimulatedStack, type LogEntry, type SimulatedStack } from "../support/simulated-stack";
import { readRecords } from "../support/csv-helpers";
import { writeSpecFiles, type Spec } from "../support/spec-files";
import { personCsvLine, syntheticPeople, TEMPLATE_HEADER, type SyntheticPerson } from "../support/synthetic-people";
import { scenario } from "../support/checkpoints";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");
const ADVERTISER = "9223372036854775001";
const KEY_CONFIG = "dsp-audiences:externalIdKey";
const CONSENT = "2026-01-01T00:00:00Z";

/** Writes the people CSV and a spec that uploads it and builds one audience from it. */
function writeSpec(dir: string, people: SyntheticPerson[], deletions: string[]): string {
  const spec: Spec = {
    version: 1,
    defaults: { advertiserId: ADVERTISER, dataSourceCountry: ["US"] },
    // minRows: a small test file; Amazon's template wants 10,000.
    records: { customers: { csv: "customers.csv", externalIdSecretConfig: KEY_CONFIG, minRows: 1 } },
    audiences: { "loyal-customers": { name: "Loyal customers E2E", members: { EXTERNAL_USER_ID: { records: "customers" } } } },
    ...(deletions.length > 0 ? { deletions: deletions.map((value) => ({ type: "EXTERNAL_USER_ID" as const, value, consentTime: CONSENT })) } : {}),
  };
  return writeSpecFiles(dir, spec, { "customers.csv": `${TEMPLATE_HEADER}\n${people.map(personCsvLine).join("\n")}\n` });
}

describe("records: CSV of people → hashed upload → EXTERNAL_USER_ID audience → deletion (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  const checkpoint = scenario();
  const idKey = `e2e-external-id-key-${Math.random().toString(36).slice(2)}`;
  const v1 = syntheticPeople(40, 81);
  // v2: person 5 has a new email (so a new externalId), person 9 a new phone (same externalId, new hashes).
  const v2 = v1.map((p, i) => (i === 5 ? { ...p, email: "Changed.Person5@Example.org" } : i === 9 ? { ...p, phone: "(212) 555-0142" } : p));
  let env: SimulatedStack;
  let specDir: string;
  let audienceId: string;
  let expected1: { ids: string[]; emailHashes: string[] };
  let expected2: { ids: string[]; emailHashes: string[] };
  let goneId: string;

  /** The externalIds and email hashes the spec's CSV gives under the key, read the way the tests of provider/pii do. */
  async function expectedFor(people: SyntheticPerson[]): Promise<{ ids: string[]; emailHashes: string[] }> {
    const file = path.join(env.work, `expected-${people === v1 ? 1 : 2}.csv`);
    fs.writeFileSync(file, `${TEMPLATE_HEADER}\n${people.map(personCsvLine).join("\n")}\n`);
    const { records } = await readRecords(file, { externalIdKey: idKey, minRows: 1 });
    fs.rmSync(file);
    return { ids: records.map((r) => r.externalId).sort(), emailHashes: records.flatMap((r) => (r.hashed.email ? [r.hashed.email] : [])) };
  }

  async function requestLog(): Promise<LogEntry[]> {
    return requestLogOf(env);
  }

  async function simRecords(): Promise<string[]> {
    return Object.keys((await (await fetch(`${env.sim.url}/__sim/records`)).json()) as Record<string, unknown>).sort();
  }

  async function simDeletions(): Promise<Array<{ requestId: string; users: Array<{ type: string; value: string; consentTime?: string }> }>> {
    return ((await (await fetch(`${env.sim.url}/__sim/deletions`)).json()) as { deletions: Array<{ requestId: string; users: Array<{ type: string; value: string }> }> }).deletions;
  }

  const since = (log: LogEntry[], seq: number, method: string, p: string): LogEntry[] => log.filter((e) => e.seq > seq && e.method === method && e.path === p && e.status < 300);
  const lastSeq = (log: LogEntry[]): number => log.at(-1)?.seq ?? 0;

  before(async function () {
    env = await startSimulatedStack("", "records");
    specDir = path.join(env.work, "spec");
    await env.run((s) => s.setConfig("dsp:spec", writeSpec(specDir, v1, [])));
    await env.run((s) => s.setConfig(KEY_CONFIG, idKey, true));
    expected1 = await expectedFor(v1);
    expected2 = await expectedFor(v2);
    goneId = expected1.ids.find((id) => !expected2.ids.includes(id)) as string;
  });

  after(async function () {
    await env?.close();
  });

  checkpoint("up uploads exactly the CSV's records, then builds the audience from their externalIds", async function () {
    const r = await env.run((s) => s.up());
    assert.match(r.stdout, /records customers: 40 new or changed, 0 gone \(0 unchanged\)/);
    assert.match(r.stdout, /loyal-customers take members from records that are first uploaded in this update/);
    assert.deepEqual(await simRecords(), expected1.ids);
    const out = await env.run((s) => s.must(["stack", "output", "--json"]));
    audienceId = (JSON.parse(out.stdout) as { audiences: Record<string, { audienceId: string }> }).audiences["loyal-customers"]!.audienceId;
    assert.deepEqual((await simMembers(env.sim, audienceId)).EXTERNAL_USER_ID.sort(), expected1.ids);
    const log = await requestLog();
    assert.deepEqual(since(log, 0, "POST", "/dp/records/hashed").map((e) => e.records), [40]);
    const firstUpload = log.find((e) => e.path === "/dp/records/hashed")!.seq;
    const firstPatch = log.find((e) => e.path === "/v2/dp/audience")!.seq;
    assert.ok(firstUpload < firstPatch, "records are uploaded before they are associated");
  });

  checkpoint("after one email and one phone change, up re-uploads just those two records; the listed deletion reaches Amazon", async function () {
    const before = lastSeq(await requestLog());
    writeSpec(specDir, v2, [goneId]);
    const r = await env.run((s) => s.up());
    assert.match(r.stdout, /records customers: 2 new or changed, 1 gone \(38 unchanged\)/);
    assert.match(r.stdout, /records customers: 1 record is no longer in the CSV;[\s\S]*under `deletions:`/);
    assert.match(r.stdout, /loyal-customers EXTERNAL_USER_ID: \+1 −1 IDs \(39 unchanged\)/);
    assert.match(r.stdout, /were first uploaded today/);
    const log = await requestLog();
    assert.deepEqual(since(log, before, "POST", "/dp/records/hashed").map((e) => e.records), [2], "one request with the two changed records");
    const deletionRequests = since(log, before, "PATCH", "/v2/dp/users");
    assert.deepEqual(deletionRequests.map((e) => e.users), [1]);
    const deletions = await simDeletions();
    assert.equal(deletions.length, 1);
    // int64 fields come back as decimal strings from the simulator.
    assert.deepEqual(deletions[0]!.users, [{ type: "EXTERNAL_USER_ID", value: goneId, consentTime: String(Date.parse(CONSENT)) }]);
    // The simulator forgets a record deleted for every advertiser, so it holds exactly the new CSV again.
    assert.deepEqual(await simRecords(), expected2.ids);
    assert.deepEqual((await simMembers(env.sim, audienceId)).EXTERNAL_USER_ID.sort(), expected2.ids);
    const state = JSON.parse(await env.stack.exportState()) as { deployment: { resources: Array<{ type: string; outputs?: { requests?: Array<{ requestId: string; users: number }> } }> } };
    const recorded = state.deployment.resources.find((res) => res.outputs?.requests !== undefined)?.outputs?.requests;
    assert.deepEqual(recorded?.map((q) => [q.requestId, q.users]), [[deletions[0]!.requestId, 1]], "the requestId is in the state");
  });

  checkpoint("a second up sends nothing: no upload, no deletion, no membership patch", async function () {
    const before = lastSeq(await requestLog());
    const r = await env.run((s) => s.up());
    const log = await requestLog();
    for (const [method, p] of [["POST", "/dp/records/hashed"], ["PATCH", "/v2/dp/users"], ["PATCH", "/v2/dp/audience"]] as const) {
      assert.deepEqual(since(log, before, method, p), [], `${method} ${p} after a no-op up`);
    }
    assert.doesNotMatch(r.stdout, /to send/);
    assert.equal((await simDeletions()).length, 1);
  });

  checkpoint("the CLI commands: hash-csv gives the stack's externalIds; delete-users prints the requestId", async function () {
    const cliEnv = { ...process.env, E2E_ID_KEY: idKey, DSP_CLIENT_ID: "amzn1.application-oa2-client.e2e", DSP_CLIENT_SECRET: env.secrets.clientSecret, DSP_REFRESH_TOKEN: env.secrets.refreshToken };
    const cli = async (args: string[]): Promise<{ stdout: string; stderr: string }> => {
      const r = await run(process.execPath, [path.join(ROOT, "bin", "dsp-audiences.js"), ...args], { env: cliEnv, cwd: env.work });
      env.transcript.push(r.stdout, r.stderr);
      return r;
    };
    const hashed = path.join(env.work, "customers.hashed.csv");
    const h = await cli(["hash-csv", path.join(specDir, "customers.csv"), hashed, "--secret-env", "E2E_ID_KEY", "--min-rows", "1"]);
    assert.match(h.stdout, /✓ .*customers\.hashed\.csv: 40 records from 40 data rows \(raw\)/);
    assert.match(h.stderr, /hash-csv: 40 rows, [\d,]+ rows\/s/);
    const ids = fs.readFileSync(hashed, "utf8").trim().split("\n").slice(1).map((line) => line.split(",")[0]!).sort();
    assert.deepEqual(ids, expected2.ids);
    fs.rmSync(hashed);

    const target = expected2.ids[0]!;
    const d = await cli(["delete-users", "--type", "EXTERNAL_USER_ID", "--value", target, "--advertiser-id", ADVERTISER, "--endpoint", env.sim.url]);
    const requestId = /^requestId (\S+): 1 users$/m.exec(d.stdout)?.[1];
    const deletions = await simDeletions();
    assert.equal(deletions.length, 2);
    assert.equal(deletions[1]!.requestId, requestId);
    assert.doesNotMatch(d.stdout + d.stderr, new RegExp(target));
  });

  checkpoint("no raw email, email hash or externalId key is in the state, the snapshots or any output", async function () {
    const files = allFilesText(path.join(env.work, "backend")).map((f) => (f.file.endsWith(".ids.zst") ? { ...f, text: zlib.zstdDecompressSync(Buffer.from(f.text, "latin1")).toString("latin1") } : f));
    assert.ok(files.some((f) => f.file.endsWith(".json")), "the backend holds the stack's state");
    assert.ok(files.some((f) => f.file.endsWith(".ids.zst") && f.text.includes(`${expected2.ids[0]}:`)), "record snapshots sit beside the backend");
    const emails = [...v1, ...v2].flatMap((p) => [p.email.trim(), p.email.trim().toLowerCase()]);
    const hashes = [...expected1.emailHashes, ...expected2.emailHashes];
    const outputs = env.transcript.join("\n");
    for (const needle of [...emails, ...hashes, idKey]) {
      for (const f of files) assert.ok(!f.text.includes(needle), `PII, a hash or the key in ${f.file}`);
      assert.ok(!outputs.includes(needle), "PII, a hash or the key in CLI output");
    }
  });
});
