import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StateChange } from "../../../simulator/changes";
import { CorruptStateError, Persistence } from "../../../simulator/persistence";

describe("simulator/persistence", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-persist-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const reset: StateChange = { k: "reset" };
  const seq = (n: number): StateChange => ({ k: "request-seq", n });

  function replay(): StateChange[] {
    const p = Persistence.open(dir, 1e9);
    const out: StateChange[] = [];
    p.load((c) => out.push(c));
    p.close();
    return out;
  }

  it("replays appended lines in order", () => {
    const p = Persistence.open(dir, 1e9);
    p.load(() => undefined);
    p.append([seq(1), seq(2)]);
    p.append([seq(3)]);
    p.close();
    assert.deepEqual(replay(), [seq(1), seq(2), seq(3)]);
  });

  it("replays the snapshot, then only log lines newer than it", () => {
    const p = Persistence.open(dir, 1e9);
    p.load(() => undefined);
    p.append([seq(1)]);
    p.compact([reset, seq(10)]);
    p.append([seq(2)]);
    p.close();
    // A crash between snapshot rename and log truncation leaves old lines: they must be skipped.
    fs.appendFileSync(path.join(dir, "log.jsonl"), "");
    assert.deepEqual(replay(), [reset, seq(10), seq(2)]);
    const stale = fs.readFileSync(path.join(dir, "log.jsonl"), "utf8");
    fs.writeFileSync(path.join(dir, "log.jsonl"), `{"s":1,"ch":[{"k":"request-seq","n":1}]}\n${stale}`);
    assert.deepEqual(replay(), [reset, seq(10), seq(2)]);
  });

  it("drops a torn last line and keeps appending on a fresh line", () => {
    const p = Persistence.open(dir, 1e9);
    p.load(() => undefined);
    p.append([seq(1)]);
    p.close();
    fs.appendFileSync(path.join(dir, "log.jsonl"), '{"s":2,"ch":[{"k":"requ');
    const q = Persistence.open(dir, 1e9);
    const seen: StateChange[] = [];
    q.load((c) => seen.push(c));
    q.append([seq(3)]);
    q.close();
    assert.deepEqual(seen, [seq(1)]);
    assert.deepEqual(replay(), [seq(1), seq(3)]);
  });

  it("refuses a log with an unreadable line in the middle", () => {
    fs.writeFileSync(path.join(dir, "log.jsonl"), '{"s":1,"ch":[]}\nnot json\n{"s":2,"ch":[]}\n');
    assert.throws(() => replay(), CorruptStateError);
  });

  it("reads snapshots far larger than its read buffer", () => {
    const p = Persistence.open(dir, 1e9);
    p.load(() => undefined);
    const big: StateChange[] = Array.from({ length: 24 }, (_, i) => ({ k: "members", g: [["+", "COOKIE", [String(i)], Array.from({ length: 20_000 }, (_, k) => `v${i}-${k}`)]] }));
    p.compact(big);
    p.close();
    assert.ok(fs.statSync(path.join(dir, "snapshot.jsonl")).size > 4 * 1024 * 1024 + 100_000, "spans two read chunks");
    assert.deepEqual(replay(), big);
  });

  it("reports when the log needs compaction", () => {
    const p = Persistence.open(dir, 100);
    p.load(() => undefined);
    assert.equal(p.needsCompaction, false);
    p.append([{ k: "members", g: [["+", "MAID", ["1"], ["x".repeat(200)]]] }]);
    assert.equal(p.needsCompaction, true);
    p.compact([]);
    assert.equal(p.needsCompaction, false);
    assert.equal(fs.statSync(path.join(dir, "log.jsonl")).size, 0);
    p.close();
  });
});
