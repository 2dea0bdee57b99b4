import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../../simulator";
import { TestClient, patchText, rawRequest } from "../../support/sim-http";

const HASH = "c".repeat(64);

describe("simulator: persistence with dataDir", () => {
  let dir: string;
  let sim: RunningSimulator | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-sim-"));
  });
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = async (opts: SimulatorOptions = {}): Promise<RunningSimulator> => {
    sim = await startSimulator({ dataDir: dir, limits: { metadataTps: 0, usersTps: 0 }, ...opts });
    return sim;
  };

  /** Everything observable through the store. */
  function state(s: RunningSimulator): unknown {
    return {
      audiences: s.store.listAudiences().map((a) => ({ ...a, members: s.store.members(a.id), size: s.store.audienceSize(a.id) })),
      records: [...s.store.records()],
      deletions: s.store.deletions(),
      requests: s.store.requests().map((r) => [r.seq, r.method, r.path, r.status]),
    };
  }

  async function populate(s: RunningSimulator): Promise<{ a: string; b: string }> {
    const client = await TestClient.login(s);
    const a = await client.createAudience({ name: "Persistent audience A" }, { ttl: 600 });
    const b = await client.createAudience();
    await client.send("PUT", `/v2/dp/audiencemetadata/${a}`, { description: "updated" });
    await client.patch([patchText("add", "/COOKIE-c1/audiences", [a, b]), patchText("add", "/MAID-m-1/audiences", [a]), patchText("add", "/EXTERNAL_USER_ID-x1/audiences", [b])].join(","));
    await client.patch(patchText("remove", "/COOKIE-c1/audiences", [b]));
    await client.send("POST", "/dp/records/hashed", { records: [{ externalId: "x1", hashedRecords: [{ email: HASH }, { phone: HASH }] }] });
    await client.patch(patchText("add", "/COOKIE-to-delete/audiences", [a]));
    await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [{ userId: { type: "COOKIE", value: "to-delete" } }] });
    return { a, b };
  }

  it("keeps audiences, membership, records, deletions and the request log across a restart", async () => {
    const first = await start();
    const { a, b } = await populate(first);
    const before = state(first);
    assert.deepEqual(first.store.members(a), { COOKIE: ["c1"], MAID: ["m-1"], EXTERNAL_USER_ID: [] });
    await first.stop();

    const second = await start();
    assert.deepEqual(state(second), before);
    assert.equal(second.store.getAudience(a)?.description, "updated");
    assert.deepEqual(second.store.members(b), { COOKIE: [], MAID: [], EXTERNAL_USER_ID: ["x1"] });
    // Ids and request numbers continue; tokens issued before the restart still work.
    const client = await TestClient.login(second);
    assert.equal(BigInt(await client.createAudience()), BigInt(b) + 1n);
    assert.ok((second.store.requests().at(-1)?.seq ?? 0) > (first.store.requests().at(-1)?.seq ?? 0));
  });

  it("recovers from the log alone when the process died without stop() (no snapshot)", async () => {
    const first = await start();
    await populate(first);
    const before = state(first);
    // Simulate a crash: copy the files as they are now, before stop() compacts.
    const crashed = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-sim-crash-"));
    try {
      for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(crashed, f));
      assert.ok(!fs.existsSync(path.join(crashed, "snapshot.jsonl")) || fs.statSync(path.join(crashed, "log.jsonl")).size > 0);
      // ...and tear the last line, as a crash in the middle of a write would.
      fs.appendFileSync(path.join(crashed, "log.jsonl"), '{"s":999,"ch":[{"k":"aud');
      const recovered = await startSimulator({ dataDir: crashed });
      try {
        assert.deepEqual(state(recovered), before);
      } finally {
        await recovered.stop();
      }
    } finally {
      fs.rmSync(crashed, { recursive: true, force: true });
    }
  });

  it("compacts the log into a snapshot once it grows past compactAfterBytes", async () => {
    const s = await start({ compactAfterBytes: 2000 });
    const client = await TestClient.login(s);
    const a = await client.createAudience();
    for (let i = 0; i < 10; i++) {
      await client.patch(Array.from({ length: 20 }, (_, k) => patchText("add", `/COOKIE-bulk-${i}-${k}/audiences`, [a])).join(","));
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(fs.existsSync(path.join(dir, "snapshot.jsonl")));
    assert.ok(fs.statSync(path.join(dir, "log.jsonl")).size < 2000 + 2000);
    const before = state(s);
    await s.stop();
    const again = await start();
    assert.deepEqual(state(again), before);
    assert.equal(again.store.memberCounts(a)?.COOKIE, 200);
  });

  it("logs membership compactly: one grouped line per request, not a patch object per id", async () => {
    const s = await start();
    const client = await TestClient.login(s);
    const a = await client.createAudience();
    const ids = Array.from({ length: 2000 }, (_, i) => `cookie${String(i).padStart(16, "0")}`);
    const res = await client.patch(ids.map((v) => patchText("add", `/COOKIE-${v}/audiences`, [a])).join(","));
    assert.equal(res.status, 200);
    const lines = fs.readFileSync(path.join(dir, "log.jsonl"), "utf8").trim().split("\n");
    const patchLine = lines.find((l) => l.includes(ids[0] as string)) ?? "";
    assert.ok(patchLine.length < ids.length * 26, `${patchLine.length} bytes for ${ids.length} ids`);
    assert.deepEqual(JSON.parse(patchLine).ch, [{ k: "members", g: [["+", "COOKIE", [a], ids]] }]);
  });

  it("reset forgets everything, also on disk", async () => {
    const s = await start();
    await populate(s);
    assert.equal((await rawRequest(s.url, "POST", "/__sim/reset")).status, 200);
    assert.deepEqual(s.store.listAudiences(), []);
    await s.stop();
    const again = await start();
    assert.deepEqual(again.store.listAudiences(), []);
    assert.deepEqual(again.store.deletions(), []);
    assert.equal(again.store.records().size, 0);
  });
});
