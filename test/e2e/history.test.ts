/**
 * `dsp-audiences history` through the real CLI: `pulumi up`, a changed spec, `pulumi up`, then the
 * history of the stack as JSON and Markdown, and for one ID the syncs that removed and added it,
 * with request ids that are the simulator's own. The command finds the snapshot store as the
 * providers do (beside the file backend), from the stack's config in the program folder.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { requestLog, startSimulatedStack, type LogEntry, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles } from "../support/spec-files";
import { ensurePulumiEngine } from "../../tools/pulumi-cli";
import type { HistoryReport } from "../../provider/gitops/history-report";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");

const cookies = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
const V1 = cookies("hist-a", 0, 30);
const V2 = [...cookies("hist-a", 0, 25), ...cookies("hist-b", 0, 8)];
const REMOVED = "hist-a27";
const ADDED = "hist-b3";

describe("history: each sync of a membership and one ID's story (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  let env: SimulatedStack;
  let specDir: string;
  let cliEnv: NodeJS.ProcessEnv;
  /** The simulator's accepted membership patches of each up, in order. */
  const upPatches: LogEntry[][] = [];

  const writeSpec = (members: readonly string[]): string =>
    writeSpecFiles(specDir, {
      version: 1,
      defaults: { advertiserId: "9223372036854775001", dataSourceCountry: ["US"] },
      settings: { historyRetentionDays: 30 },
      audiences: { "hist-alpha": { name: "History alpha audience", members: { COOKIE: [...members] } } },
    });

  async function upAndLog(): Promise<void> {
    const before = (await requestLog(env)).at(-1)?.seq ?? 0;
    await env.run((s) => s.up());
    upPatches.push((await requestLog(env)).filter((e) => e.seq > before && e.method === "PATCH" && e.path === "/v2/dp/audience" && e.status < 300));
  }

  async function history(args: string[]): Promise<string> {
    const r = await run(process.execPath, [path.join(ROOT, "bin", "dsp-audiences.js"), "history", "--stack", env.stack.stack, "--cwd", ROOT, "--config-file", env.stack.configFile, ...args], { env: cliEnv, cwd: env.work });
    env.transcript.push(r.stdout, r.stderr);
    return r.stdout;
  }

  before(async function () {
    env = await startSimulatedStack("", "history");
    specDir = path.join(env.work, "spec");
    await env.run((s) => s.setConfig("dsp:spec", writeSpec(V1)));
    const backend = path.join(env.work, "backend");
    cliEnv = {
      ...process.env,
      PATH: `${await ensurePulumiEngine()}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_HOME: path.join(backend, ".pulumi-home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    // No passphrase: the command reads no secret.
    delete cliEnv.PULUMI_CONFIG_PASSPHRASE;
    await upAndLog();
    await env.run((s) => s.setConfig("dsp:spec", writeSpec(V2)));
    await upAndLog();
  });

  after(async function () {
    await env?.close();
  });

  it("the spec's history retention reaches the membership", async function () {
    const state = JSON.parse(await env.stack.exportState()) as { deployment: { resources: Array<{ type: string; inputs?: Record<string, unknown> }> } };
    const membership = state.deployment.resources.find((r) => r.type.endsWith(":AudienceMembership"));
    assert.equal(membership?.inputs?.historyRetentionDays, 30);
  });

  it("--json: both syncs, newest first, with +N −M and the simulator's request ids", async function () {
    const report = JSON.parse(await history(["--json"])) as HistoryReport;
    assert.equal(report.store, path.join(env.work, "backend", ".dsp-audiences", "snapshots"), "found beside the backend, as the providers put it");
    assert.deepEqual(report.memberships.map((m) => [m.key, m.idType]), [["hist-alpha", "COOKIE"]]);
    const syncs = report.memberships[0]?.syncs ?? [];
    assert.deepEqual(syncs.map((s) => [s.adds, s.removes, s.requests, s.failed]), [
      [8, 5, upPatches[1]?.length, false],
      [30, 0, upPatches[0]?.length, false],
    ]);
    assert.deepEqual(syncs[0]?.requestIds, upPatches[1]?.map((e) => e.requestId));
    assert.deepEqual(syncs[1]?.requestIds, upPatches[0]?.map((e) => e.requestId));
  });

  it("--id: when it was removed and when added, in which requests; the ID is never printed", async function () {
    const removed = JSON.parse(await history(["--membership", "hist-alpha/COOKIE", "--id", REMOVED, "--json"])) as HistoryReport;
    const [timeline] = removed.id?.memberships ?? [];
    assert.deepEqual(timeline?.changes.map((c) => [c.change, c.requestIds]), [
      ["present", upPatches[0]?.map((e) => e.requestId)],
      ["removed", upPatches[1]?.map((e) => e.requestId)],
    ]);
    assert.equal(timeline?.memberNow, false);

    const markdown = await history(["--id", ADDED]);
    const second = upPatches[1]?.[0]?.requestId as string;
    assert.match(markdown, new RegExp(`\\| \`hist-alpha\` COOKIE \\| added \\| \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\| \`${second}\``));
    assert.match(markdown, /A member after the latest sync of: `hist-alpha` COOKIE\./);
    for (const text of [markdown, JSON.stringify(removed)]) assert.ok(!text.includes(ADDED) && !text.includes(REMOVED), "no ID in the output");
  });

  it("a membership the stack does not have: exit 2 with the closest match", async function () {
    const r = await run(process.execPath, [path.join(ROOT, "bin", "dsp-audiences.js"), "history", "--stack", env.stack.stack, "--cwd", ROOT, "--config-file", env.stack.configFile, "--membership", "hist-alpa/COOKIE"], { env: cliEnv }).then(
      () => assert.fail("exit 0"),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^dsp-audiences history: no membership hist-alpa\/COOKIE in this stack \(did you mean hist-alpha\/COOKIE\?\)/);
  });
});
