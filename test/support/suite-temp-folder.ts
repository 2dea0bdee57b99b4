/**
 * Each mocha run gets a temp folder of its own (TMPDIR, inherited by every process a test starts:
 * the CLI, the engine, the providers), so that at the end the run can tell what the product left
 * there. A `dsp-plan-*`, `dsp-set-*`, `dsp-sources-*` or `dsp-validate-*` folder still there is a
 * defect: each is removed when its plan or read is done, or swept by the next run once its owner is
 * gone (issue 25). Other tests' leftovers go with the folder, and are not judged.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER_FILE, SCRATCH_PREFIXES } from "../../provider/util/scratch-folder";

/** What the product makes in the temp folder and must not leave behind. */
export const PRODUCT_TEMP_PREFIXES: readonly string[] = [...SCRATCH_PREFIXES, "dsp-sources-", "dsp-validate-"];

/**
 * The product's folders in `folder`. This process's own sorted-sets folder is removed when it exits
 * (after the run's last hook), so it counts only when it still holds a set nobody disposed of.
 */
export function productLeftovers(folder: string): string[] {
  return readdirSync(folder).filter((name) => PRODUCT_TEMP_PREFIXES.some((prefix) => name.startsWith(prefix)) && !isOwnEmptyFolder(join(folder, name)));
}

function isOwnEmptyFolder(folder: string): boolean {
  try {
    const owner = JSON.parse(readFileSync(join(folder, OWNER_FILE), "utf8")) as { pid?: unknown };
    return owner.pid === process.pid && readdirSync(folder).every((name) => name === OWNER_FILE);
  } catch {
    return false;
  }
}

/** Points TMPDIR at a new folder; `end()` puts it back, removes the folder, and throws when the product left any of its own there. */
export function useSuiteTempFolder(): { readonly folder: string; end(): void } {
  const previous = process.env.TMPDIR;
  const folder = mkdtempSync(join(tmpdir(), "dsp-suite-"));
  // Open like /tmp itself (sticky, everyone may write): the PostgreSQL server a test starts runs as another user.
  chmodSync(folder, 0o1777);
  process.env.TMPDIR = folder;
  return {
    folder,
    end() {
      const left = productLeftovers(folder);
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(folder, { recursive: true, force: true });
      if (left.length > 0) {
        throw new Error(`the test run left ${left.length} folder(s) of the product in its temp folder (${left.join(", ")}): each must be removed when its work is done, or swept by the next run`);
      }
    },
  };
}
