import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { historyCommand, HistoryUnavailableError, parseHistoryArgs, type HistoryIo } from "../../../provider/gitops/history-command";
import type { HistoryReport } from "../../../provider/gitops/history-report";
import { FileSnapshotStore } from "../../../provider/snapshots";
import { idSetFrom } from "../../../provider/plan";
import { writeMembershipRecord } from "../../../provider/membership/membership-record";
import { UsageError } from "../../../provider/util/command-line";

const AUDIENCE = "72057594038053891";
const OTHER_STACKS_AUDIENCE = "72057594038053999";

describe("dsp-audiences history (command)", () => {
  let dir: string;
  let calls: string[][];
  let printed: string[];

  /** Pulumi answering as the real CLI does, for a stack with one audience and its COOKIE membership. */
  function io(config: Record<string, { value?: string; secret: boolean }>, exportCode = 0): HistoryIo {
    return {
      env: { PULUMI_BACKEND_URL: "https://api.pulumi.com" },
      print: (text) => printed.push(text),
      pulumi: async (args) => {
        calls.push([...args]);
        if (args[0] === "config") return { stdout: JSON.stringify(config), stderr: "", code: 0 };
        if (exportCode !== 0) return { stdout: "", stderr: "error: no stack named 'nope' found", code: exportCode };
        const resources = [
          { urn: "urn:pulumi:prod::p::dsp-audiences:DataProviderAudience::loyal", type: "dsp-audiences:DataProviderAudience", id: AUDIENCE, outputs: { audienceId: AUDIENCE } },
          { urn: "urn:pulumi:prod::p::dsp-audiences:AudienceMembership::loyal-cookie", type: "dsp-audiences:AudienceMembership", outputs: { audienceId: AUDIENCE, idType: "COOKIE", label: "loyal" } },
        ];
        return { stdout: JSON.stringify({ version: 3, deployment: { resources } }), stderr: "", code: 0 };
      },
    };
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-history-"));
    calls = [];
    printed = [];
    const store = new FileSnapshotStore(path.join(dir, "snaps"));
    const before = await store.put(idSetFrom(["c1", "c2"]));
    const after = await store.put(idSetFrom(["c2", "c3"]));
    const entry = (at: string, appliedDigest: string, adds: number, removes: number, requestIds: string[]) => ({ at, attempt: at, adds, removes, requests: requestIds.length, requestIds, inDoubt: 0, appliedDigest });
    await writeMembershipRecord(store, {
      audienceId: AUDIENCE,
      idType: "COOKIE",
      owner: "loyal",
      attempt: "2",
      stage: "answered",
      appliedDigest: after,
      history: [entry("2025-01-01T00:00:00.000Z", before, 2, 0, ["q1"]), entry("2025-01-02T00:00:00.000Z", after, 1, 1, ["q2", "q3"])],
    });
    // Another stack's audience in the same store: not this stack's history.
    await writeMembershipRecord(store, { audienceId: OTHER_STACKS_AUDIENCE, idType: "COOKIE", owner: "theirs", attempt: "1", stage: "answered", appliedDigest: after, history: [entry("2025-01-01T00:00:00.000Z", after, 2, 0, ["x"])] });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds the store from the stack's config in the program folder, and prints this stack's memberships only", async () => {
    assert.equal(await historyCommand(["--stack", "prod", "--cwd", dir, "--config-file", "Pulumi.prod.yaml", "--json"], io({ "dsp:snapshotDir": { value: "snaps", secret: false }, "dsp:clientSecret": { secret: true } })), 0);
    assert.deepEqual(calls, [
      ["stack", "export", "--stack", "prod", "--cwd", dir],
      ["config", "--json", "--stack", "prod", "--cwd", dir, "--config-file", "Pulumi.prod.yaml"],
    ]);
    const report = JSON.parse(printed.join("")) as HistoryReport;
    assert.equal(report.store, path.join(dir, "snaps"));
    assert.deepEqual(report.memberships.map((m) => [m.key, m.idType, m.syncs.map((s) => s.requestIds.join(","))]), [["loyal", "COOKIE", ["q2,q3", "q1"]]]);
  });

  it("--id: the syncs that added and removed it, the ID nowhere in the output; --store instead of the config", async () => {
    for (const [id, changes] of [["c1", "present@2025-01-01 removed@2025-01-02"], ["c3", "added@2025-01-02"]] as const) {
      printed = [];
      calls = [];
      assert.equal(await historyCommand(["--cwd", dir, "--store", "snaps", "--membership", "loyal/COOKIE", "--id", id, "--json"], io({})), 0);
      assert.deepEqual(calls.map((c) => c[0]), ["stack"], "no config read with --store");
      const report = JSON.parse(printed.join("")) as HistoryReport;
      assert.equal(report.id?.memberships[0]?.changes.map((c) => `${c.change}@${c.at.slice(0, 10)}`).join(" "), changes);
      assert.ok(!printed.join("").includes(`"${id}"`), "the ID is not printed");
    }
    printed = [];
    await historyCommand(["--cwd", dir, "--store", `file://${path.join(dir, "snaps")}`, "--id", "c3"], io({}));
    assert.match(printed.join(""), /\| `loyal` COOKIE \| added \| 2025-01-02 00:00:00 \| `q2`, `q3` \|/);
  });

  it("a membership the stack does not have is a usage error naming the closest one", async () => {
    await assert.rejects(
      historyCommand(["--cwd", dir, "--store", "snaps", "--membership", "loyl/COOKIE"], io({})),
      (e: unknown) => e instanceof UsageError && e.message === "no membership loyl/COOKIE in this stack (did you mean loyal/COOKIE?); memberships with a sync record: loyal/COOKIE",
    );
  });

  it("a stack pulumi cannot export is one error with pulumi's reason", async () => {
    await assert.rejects(historyCommand(["--stack", "nope", "--cwd", dir], io({}, 255)), (e: unknown) => e instanceof HistoryUnavailableError && /^pulumi stack export --stack nope --cwd .* exited 255:\nerror: no stack named 'nope' found$/.test(e.message));
  });

  it("refuses a malformed --membership, --last or --id without repeating the value", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--membership", "loyal"], /^--membership must be <key>\/<TYPE> with TYPE COOKIE, MAID or EXTERNAL_USER_ID/],
      [["--membership", "loyal/EMAIL"], /^--membership must be/],
      [["--last", "0"], /^--last must be an integer ≥ 1$/],
      [["--id", "not an id!"], /^--id is not a valid COOKIE, MAID or EXTERNAL_USER_ID \(the value is not repeated here\)$/],
    ];
    for (const [args, message] of cases) {
      assert.throws(() => parseHistoryArgs(args), (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes("not an id!"), args.join(" "));
    }
  });
});
