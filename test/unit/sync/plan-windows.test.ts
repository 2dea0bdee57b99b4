import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { idSetFrom, RANGE_COUNT } from "../../../provider/plan";
import { copiesPerOperation, planWindows, SpilledCopies, WHOLE_SET, withOwnCopies } from "../../../provider/sync/plan-windows";
import { FileSnapshotStore } from "../../../provider/snapshots";
import { cookieIds } from "../../support/synthetic-ids";

describe("plan windows", () => {
  it("plans in one window when the sets fit, else in the fewest equal windows that do", () => {
    assert.deepEqual(planWindows(1000, 1e9), WHOLE_SET);
    const windows = planWindows(1_000_000, 20_000_000);
    assert.ok(windows.length > 1 && (windows.length & (windows.length - 1)) === 0, "a power of two");
    assert.equal(windows[0]?.from, 0);
    assert.equal(windows.at(-1)?.to, RANGE_COUNT);
    for (let i = 1; i < windows.length; i++) assert.equal(windows[i]?.from, windows[i - 1]?.to);
  });

  describe("copies on disk, per operation", () => {
    const set = idSetFrom(cookieIds(3000, 41));
    let temp: string;
    let storeDir: string;
    let copies: SpilledCopies;
    let digest: string;
    let savedTmp: string | undefined;
    /** The plan folders in the (private) system temp folder. */
    const planFolders = (): string[] => readdirSync(temp).filter((name) => name.startsWith("dsp-plan-"));

    beforeEach(async () => {
      temp = mkdtempSync(join(tmpdir(), "plan-windows-tmp-"));
      storeDir = mkdtempSync(join(tmpdir(), "plan-windows-store-"));
      const store = new FileSnapshotStore(storeDir);
      digest = await store.put(set);
      copies = new SpilledCopies(store);
      savedTmp = process.env.TMPDIR;
      process.env.TMPDIR = temp;
    });
    afterEach(() => {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      rmSync(temp, { recursive: true, force: true });
      rmSync(storeDir, { recursive: true, force: true });
    });

    it("copies a set once per operation into a folder of its own, removed as soon as the operation settles", async () => {
      const path = await withOwnCopies(async () => {
        const first = await copies.copyOf(digest);
        assert.equal(await copies.copyOf(digest), first, "the windows of one plan share a copy");
        assert.ok((await copies.view({ from: 0, to: RANGE_COUNT }).get(digest)).bytes.equals(set.bytes));
        assert.deepEqual(planFolders(), [dirname(first.path).slice(temp.length + 1)]);
        return first.path;
      });
      assert.equal(existsSync(path), false);
      assert.deepEqual(planFolders(), []);
    });

    it("removes the copies of an operation that fails", async () => {
      let path = "";
      await assert.rejects(
        withOwnCopies(async () => {
          path = (await copies.copyOf(digest)).path;
          throw new Error("the sync failed");
        }),
        /the sync failed/,
      );
      assert.equal(existsSync(path), false);
      assert.deepEqual(planFolders(), []);
    });

    it("keeps each operation's copies apart: one settling leaves the other's in place", async () => {
      let releaseFirst!: () => void;
      const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstPath = "";
      const first = withOwnCopies(async () => {
        firstPath = (await copies.copyOf(digest)).path;
        await firstMayEnd;
        return (await copies.copyOf(digest)).path;
      });
      const secondPath = await withOwnCopies(async () => {
        const path = (await copies.copyOf(digest)).path;
        while (firstPath === "") await new Promise((resolve) => setImmediate(resolve));
        assert.notEqual(dirname(path), dirname(firstPath));
        return path;
      });
      assert.equal(existsSync(secondPath), false);
      assert.equal(existsSync(firstPath), true, "the first operation still runs");
      releaseFirst();
      assert.equal(await first, firstPath);
      assert.equal(existsSync(firstPath), false);
      assert.deepEqual(planFolders(), []);
    });

    it("runs every method of a provider as an operation of its own", async () => {
      const provider = copiesPerOperation({
        label: "not a method",
        async copy(which: string): Promise<string> {
          return `${which}:${(await copies.copyOf(digest)).path}`;
        },
      });
      assert.equal(provider.label, "not a method");
      const [which, path] = (await provider.copy("a")).split(":");
      assert.equal(which, "a");
      assert.equal(existsSync(path as string), false);
      assert.deepEqual(planFolders(), []);
    });

    it("refuses to copy outside an operation, where nothing would remove the copy", () => {
      assert.throws(() => copies.copyOf(digest), /copies of sets on disk belong to an operation/);
      assert.deepEqual(planFolders(), []);
    });
  });
});
