/**
 * Private folders in the system temp folder for sets copied onto disk: `dsp-plan-*` (the provider's
 * copies for a plan in windows) and `dsp-set-*` (the program's sets sorted on disk). Their owners
 * remove them when done, but a process can end without running any code (the engine stops a
 * provider with SIGKILL; a CI job is cancelled), so each folder names its owner in a file, and the
 * next process to make or sweep such folders removes those whose owner is gone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

/** The name prefixes of the folders this module makes and sweeps. */
export const SCRATCH_PREFIXES = ["dsp-plan-", "dsp-set-"] as const;
export type ScratchPrefix = (typeof SCRATCH_PREFIXES)[number];

/** The file in each folder that names the process that made it. */
export const OWNER_FILE = "owner.json";

/** What {@link OWNER_FILE} holds. */
export interface ScratchOwner {
  readonly pid: number;
  /** A pid means something on its own host only: a folder of another host's process is never judged. */
  readonly host: string;
}

/** Temp folders already swept by this process (one sweep per process and folder suffices). */
const swept = new Set<string>();

/**
 * A new, empty folder `<parent>/<prefix>XXXXXX` owned by this process. The first call for a
 * parent first sweeps the stale folders there ({@link sweepStaleScratchFolders}).
 * @param parent @default the system temp folder
 */
export function makeScratchFolder(prefix: ScratchPrefix, parent: string = tmpdir()): string {
  sweepOnce(parent);
  const folder = mkdtempSync(join(parent, prefix));
  const owner: ScratchOwner = { pid: process.pid, host: hostname() };
  writeFileSync(join(folder, OWNER_FILE), JSON.stringify(owner), { flag: "wx" });
  return folder;
}

/** Removes a folder made by {@link makeScratchFolder}, with whatever is in it. */
export function removeScratchFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}

/** {@link sweepStaleScratchFolders} on `parent`, the first time this process asks. */
export function sweepOnce(parent: string = tmpdir()): void {
  if (swept.has(parent)) return;
  swept.add(parent);
  sweepStaleScratchFolders(parent);
}

/**
 * Removes the scratch folders in `parent` whose owner is gone: made on this host by a process that
 * no longer runs. A folder without a readable owner file is left alone: it may be one another
 * process is making right now (or one made before owner files were written).
 * @returns the folders removed
 */
export function sweepStaleScratchFolders(parent: string = tmpdir()): string[] {
  let entries;
  try {
    entries = readdirSync(parent, { withFileTypes: true });
  } catch {
    return []; // no temp folder to read: nothing of ours can be in it
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !SCRATCH_PREFIXES.some((prefix) => entry.name.startsWith(prefix))) continue;
    const folder = join(parent, entry.name);
    const owner = ownerOf(folder);
    if (owner === undefined || !isGone(owner)) continue;
    try {
      removeScratchFolder(folder);
      removed.push(folder);
    } catch {
      // Another process's sweep got there first, or the folder is not ours to remove: nothing to do.
    }
  }
  return removed;
}

function ownerOf(folder: string): ScratchOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(folder, OWNER_FILE), "utf8")) as Partial<ScratchOwner>;
    return Number.isSafeInteger(owner.pid) && typeof owner.host === "string" ? (owner as ScratchOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `owner` was a process on this host that has ended (a zombie has ended too). */
function isGone(owner: ScratchOwner): boolean {
  if (owner.host !== hostname() || owner.pid === process.pid || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  return isZombie(owner.pid);
}

/** Linux only: a process that has exited but is not yet reaped by its parent. */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
