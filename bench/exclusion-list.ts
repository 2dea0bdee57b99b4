/**
 * Issue 25: an exclusion list as large as the membership, within `dsp:planMemoryMB`. The program's
 * source reading (`readMemberSources`) of one audience whose COOKIE members are an ID file of N
 * IDs and whose `exclude:` is an ID file of N lines (half of them members, half new), in a child
 * process of its own so that its peak RSS (VmHWM) is the reading's alone. The result is checked
 * against the count written.
 *
 *     node -r ts-node/register/transpile-only bench/exclusion-list.ts [count] [budgetMB]
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { memberSetKey, readMemberSources } from "../provider/program/member-sources";
import { SpilledSet } from "../provider/plan";
import { loadSpec } from "../provider/spec";
import { DEFAULT_PLAN_MEMORY_MB } from "../provider/config/plan-memory";
import { writeCookieIdFile } from "./id-files";
import { peakRss } from "./planning";
import { formatNumber, formatSeconds, row, type ReportRow } from "./report";
import { freshWorkDir } from "./work-dir";

/** What {@link runExclusionListBench} measured. */
export interface ExclusionListFigures {
  readonly count: number;
  readonly budgetMb: number;
  /** Members left after the exclusions, and how many the bench wrote to be left. */
  readonly remaining: number;
  readonly expectedRemaining: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** VmHWM of the child that read and removed, MB (10^6 B). */
  readonly peakRssMb: number;
  /** Whether the final set was on disk (larger than the budget) or in memory. */
  readonly onDisk: boolean;
}

/** Options of {@link runExclusionListBench}. */
export interface ExclusionListOptions {
  /** Members, and lines of the exclusion list. @default 5_000_000 */
  readonly count?: number;
  /** `dsp:planMemoryMB`. @default DEFAULT_PLAN_MEMORY_MB */
  readonly budgetMb?: number;
  readonly directory?: string;
  readonly log?: (line: string) => void;
}

/** Half the exclusion list are members (every second one), half are IDs the members do not have. */
const EXCLUDED_SHARE = 0.5;

export async function runExclusionListBench(options: ExclusionListOptions = {}): Promise<ExclusionListFigures> {
  const count = options.count ?? 5_000_000;
  const budgetMb = options.budgetMb ?? DEFAULT_PLAN_MEMORY_MB;
  const log = options.log ?? ((line: string) => console.log(line));
  const directory = freshWorkDir(`exclusion-list-${count}`, options.directory);
  try {
    await writeCookieIdFile(join(directory, "members.ids"), { count, seed: 25 });
    // The same seed with churn: every second member is left out and as many new IDs appended, so
    // the list is `count` lines of which half are members; the kept half is what gets excluded.
    const list = await writeCookieIdFile(join(directory, "exclude.ids"), { count, seed: 25, churn: EXCLUDED_SHARE });
    const spec = {
      version: 1,
      defaults: { advertiserId: "1", dataSourceCountry: ["US"] },
      audiences: { big: { name: "Big audience, big exclusion list", members: { COOKIE: { file: "members.ids" } }, exclude: { COOKIE: { file: "exclude.ids" } } } },
    };
    writeFileSync(join(directory, "audiences.yaml"), stringify(spec));
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", directory, String(budgetMb)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
      // Sets sorted on disk go under the bench folder, deleted with it.
      env: { ...process.env, TMPDIR: directory },
    });
    const child = JSON.parse(out.trim().split("\n").pop() as string) as Omit<ExclusionListFigures, "count" | "budgetMb" | "expectedRemaining">;
    const figures = { count, budgetMb, expectedRemaining: count - list.kept, ...child };
    log(
      `exclusion   ${(figures.wallMs / 1000).toFixed(2)} s (CPU ${(figures.cpuMs / 1000).toFixed(2)} s), peak RSS ${figures.peakRssMb.toFixed(0)} MB: ` +
        `${figures.remaining.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} members left (expected ${figures.expectedRemaining.toLocaleString("en-US")}), ${figures.onDisk ? "on disk" : "in memory"}`,
    );
    return figures;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Issue 25's ceiling for every 5M input's peak RSS. */
const PEAK_GOAL_MB = 1000;

/** Scenario 8's rows: the reading's time, and its peak RSS next to the 1 GB ceiling and the budget. */
export function exclusionListRows(f: ExclusionListFigures): ReportRow[] {
  const what = `exclusion list: ${f.count.toLocaleString("en-US")} lines removed from ${f.count.toLocaleString("en-US")} members (ID files) within dsp:planMemoryMB ${f.budgetMb}`;
  const exact = f.remaining === f.expectedRemaining;
  return [
    row(8, `${what}${exact ? "" : "; the count differs from the one written!"}`, f.wallMs / 1000, "s", {
      display: `${formatSeconds(f.wallMs / 1000)} (CPU ${formatSeconds(f.cpuMs / 1000)}; ${f.remaining.toLocaleString("en-US")} left, ${f.onDisk ? "on disk" : "in memory"})`,
    }),
    row(8, `${what}: peak RSS`, f.peakRssMb, "MB", {
      goal: { text: `≤ ${PEAK_GOAL_MB.toLocaleString("en-US")} MB`, met: f.peakRssMb <= PEAK_GOAL_MB && exact },
      comparison: { text: `ceiling ${formatNumber(PEAK_GOAL_MB)} MB; the budget ${formatNumber(f.budgetMb)} MB`, ratio: f.peakRssMb / PEAK_GOAL_MB },
    }),
  ];
}

/** The child: the program's reading of the spec, as a preview does it. */
async function runChild(directory: string, budgetMb: number): Promise<Omit<ExclusionListFigures, "count" | "budgetMb" | "expectedRemaining">> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const spec = await loadSpec(join(directory, "audiences.yaml"));
  const read = await readMemberSources(spec, (key) => (key === "dsp:planMemoryMB" ? String(budgetMb) : undefined));
  if (read.failures.length > 0) throw read.failures[0]?.error;
  const set = read.memberSets.get(memberSetKey("big", "COOKIE"));
  if (set === undefined) throw new Error("no member set");
  const used = process.cpuUsage(cpu);
  const figures = { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, peakRssMb: peakRss(), remaining: set.size, onDisk: set instanceof SpilledSet };
  if (set instanceof SpilledSet) set.dispose();
  return figures;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    runChild(args[1] as string, Number(args[2])).then(
      (figures) => console.log(JSON.stringify(figures)),
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  } else {
    const [count, budgetMb] = args.map(Number);
    runExclusionListBench({ ...(count ? { count } : {}), ...(budgetMb ? { budgetMb } : {}) }).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
