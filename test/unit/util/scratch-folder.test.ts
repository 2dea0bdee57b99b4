import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { makeScratchFolder, OWNER_FILE, sweepStaleScratchFolders } from "../../../provider/util/scratch-folder";

/** The pid of a real process that has ended and been reaped. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.equal(child.status, 0);
  return child.pid as number;
}

describe("scratch folders", () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), "scratch-parent-"));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  /** A folder as another process would have made it, with `owner` as its owner file (raw text). */
  const folderOwnedBy = (name: string, owner: string | undefined): string => {
    const folder = join(parent, name);
    mkdirSync(folder);
    writeFileSync(join(folder, "set-1.ids"), "x\n");
    if (owner !== undefined) writeFileSync(join(folder, OWNER_FILE), owner);
    return folder;
  };
  const ownedBy = (pid: number, host = hostname()): string => JSON.stringify({ pid, host });

  it("makes a private folder that names this process and host as its owner", () => {
    const folder = makeScratchFolder("dsp-plan-", parent);
    assert.match(folder, /\/dsp-plan-[^/]{6}$/);
    assert.deepEqual(JSON.parse(readFileSync(join(folder, OWNER_FILE), "utf8")), { pid: process.pid, host: hostname() });
    assert.deepEqual(readdirSync(folder), [OWNER_FILE]);
  });

  it("sweeps the folders whose owner has ended, and only those", async () => {
    const dead = endedPid();
    const running = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      const stale = [folderOwnedBy("dsp-plan-dead01", ownedBy(dead)), folderOwnedBy("dsp-set-dead02", ownedBy(dead))];
      const kept = [
        folderOwnedBy("dsp-plan-live01", ownedBy(running.pid as number)),
        folderOwnedBy("dsp-plan-mine01", ownedBy(process.pid)),
        folderOwnedBy("dsp-plan-host01", ownedBy(dead, `not-${hostname()}`)),
        folderOwnedBy("dsp-plan-none01", undefined), // being made right now, or made before owner files
        folderOwnedBy("dsp-plan-junk01", "{not json"),
        folderOwnedBy("dsp-plan-junk02", JSON.stringify({ pid: "1", host: hostname() })),
        folderOwnedBy("other-dead01", ownedBy(dead)), // not one of ours
      ];
      writeFileSync(join(parent, "dsp-plan-file01"), ownedBy(dead)); // a file, not a folder
      assert.deepEqual(sweepStaleScratchFolders(parent).sort(), stale.sort());
      assert.deepEqual(readdirSync(parent).sort(), [...kept.map((folder) => folder.slice(parent.length + 1)), "dsp-plan-file01"].sort());
    } finally {
      running.kill("SIGKILL");
    }
  });

  it("sweeps a folder whose owner was killed with SIGKILL", async () => {
    const victim = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const folder = folderOwnedBy("dsp-plan-kill01", ownedBy(victim.pid as number));
    assert.deepEqual(sweepStaleScratchFolders(parent), [], "not while it runs");
    const ended = new Promise((resolve) => victim.once("exit", resolve));
    victim.kill("SIGKILL");
    await ended;
    assert.deepEqual(sweepStaleScratchFolders(parent), [folder]);
  });

  it("finds nothing to sweep in a temp folder that does not exist", () => {
    assert.deepEqual(sweepStaleScratchFolders(join(parent, "missing")), []);
  });
});
