import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

/** An empty working folder for one scenario's files: `override`, or bench/out/<name>; emptied first. */
export function freshWorkDir(name: string, override?: string): string {
  const directory = resolve(override ?? join(__dirname, "out", name));
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  return directory;
}
