/**
 * Working copies of this repository for end-to-end tests that must look like a user's checkout
 * or a CI runner's: `git clone` of the repository's HEAD into a temporary folder, with
 * node_modules linked rather than installed (`npm ci` takes minutes here).
 *
 * The clone holds HEAD, not uncommitted edits: commit before running these tests locally.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.join(__dirname, "..", "..");
/** Identity for commits made inside test clones only. */
const GIT_IDENTITY = ["-c", "user.name=dsp-audiences e2e", "-c", "user.email=e2e@localhost", "-c", "commit.gpgsign=false"];

export interface WorkingCopy {
  readonly dir: string;
  git(...args: string[]): string;
  /** Writes `files` (paths relative to the copy) and commits them, forced past .gitignore (e.g. Pulumi.<stack>.yaml). */
  commit(message: string, files: Record<string, string | Buffer>): void;
}

function workingCopy(dir: string): WorkingCopy {
  const git = (...args: string[]): string => execFileSync("git", [...GIT_IDENTITY, ...args], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return {
    dir,
    git,
    commit(message, files) {
      for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
      }
      git("add", "--force", "--", ...Object.keys(files));
      git("commit", "--quiet", "--no-verify", "-m", message);
    },
  };
}

/**
 * Clones `source` (a folder with a git repository) into `into`, links this repository's
 * node_modules and builds dist/ there, as `npm ci` does through the `prepare` script.
 */
export function cloneInto(source: string, into: string): WorkingCopy {
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", source, into], { stdio: ["ignore", "pipe", "pipe"] });
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(into, "node_modules"), "dir");
  execFileSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: into, stdio: ["ignore", "pipe", "pipe"] });
  return workingCopy(into);
}

/** A fresh clone of this repository's HEAD. */
export function cloneThisRepository(into: string): WorkingCopy {
  return cloneInto(REPO, into);
}
