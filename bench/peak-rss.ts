/**
 * Peak memory of a whole `pulumi` command: the resident set of the largest process it started
 * (engine, language host, program, providers). GNU time reports the `ru_maxrss` that wait4 gives
 * for the `pulumi` process, which Linux folds over every descendant that was waited for, so one
 * figure covers the tree. It runs the CLI through a wrapper folder put first on the CLI's PATH.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const GNU_TIME = "/usr/bin/time";

/** A bin folder whose `pulumi` records its tree's peak RSS, and the reading of it. */
export interface PeakRssProbe {
  /** Use as the engine's bin folder: `pulumi` is the wrapper, everything else links to the engine's. */
  readonly binDir: string;
  /** The peak RSS of the last command, in MB, and forgets it; NaN without GNU time or a command. */
  take(): number;
}

/** Makes the wrapper folder under `workDir`; without GNU time, the engine's own folder and NaN readings. */
export function peakRssProbe(engineBinDir: string, workDir: string): PeakRssProbe {
  if (!fs.existsSync(GNU_TIME)) return { binDir: engineBinDir, take: () => Number.NaN };
  const binDir = path.join(workDir, "peak-rss-bin");
  const reading = path.join(workDir, "peak-rss.txt");
  fs.mkdirSync(binDir, { recursive: true });
  for (const name of fs.readdirSync(engineBinDir)) {
    if (name !== "pulumi") fs.symlinkSync(path.join(engineBinDir, name), path.join(binDir, name));
  }
  const script = `#!/bin/sh\nexec ${GNU_TIME} -q -f %M -o '${reading}' '${path.join(engineBinDir, "pulumi")}' "$@"\n`;
  fs.writeFileSync(path.join(binDir, "pulumi"), script, { mode: 0o755 });
  return {
    binDir,
    take: () => {
      let text = "";
      try {
        text = fs.readFileSync(reading, "utf8");
        fs.rmSync(reading);
      } catch {
        return Number.NaN;
      }
      // The last line is %M, in KiB (an abnormal exit may add a line before it).
      const kib = Number(text.trim().split("\n").at(-1));
      return Number.isFinite(kib) ? (kib * 1024) / 1e6 : Number.NaN;
    },
  };
}
