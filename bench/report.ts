/**
 * The bench's output: one row per figure, next to its goal and its ratio to a ceiling or baseline
 * measured in the same run, printed as a Markdown table (pasted as it is into README.md) and
 * written with the raw figures as JSON.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A goal from issue 7 and whether this run met it. */
export interface Goal {
  /** As printed, e.g. "≤ 5 s". */
  readonly text: string;
  readonly met: boolean;
}

/** What a figure is set against, measured in the same run. */
export interface Comparison {
  /** As printed, e.g. "0.93 × ceiling 200,000 ops/s". */
  readonly text: string;
  /** The ratio in `text`, for the JSON; absent when the comparison is not one number. */
  readonly ratio?: number;
}

/** One figure of one scenario. */
export interface ReportRow {
  readonly scenario: number;
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** `value` with its unit, as printed. */
  readonly display: string;
  readonly goal?: Goal;
  readonly comparison?: Comparison;
}

/** How one scenario went: its rows, or why it has none. */
export interface ScenarioOutcome {
  readonly id: number;
  readonly title: string;
  /** Wall time of the whole scenario, set-up included, in seconds. */
  readonly seconds: number;
  /** 1-minute load average before and after: the host is shared, so wall times depend on it. */
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly rows: readonly ReportRow[];
  /** The scenario's own figures, as its bench module returned them. */
  readonly figures?: unknown;
  readonly error?: string;
}

/** The machine the figures come from. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
}

export interface BenchReport {
  /** ISO 8601, when the run started. */
  readonly date: string;
  /** "quick", "default" or "full": which sizes ran (see bench/README.md). */
  readonly mode: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly scenarios: readonly ScenarioOutcome[];
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 1e9),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** The Markdown table and the lines around it, as pasted into README.md. */
export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `${report.date.slice(0, 16).replace("T", " ")} UTC · \`${report.command}\` (${report.mode} sizes) · ` +
      `${m.cores} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.os}`,
    "",
    "| # | figure | measured | goal | same-run ceiling or baseline | verdict |",
    "|---|---|---|---|---|---|",
  ];
  for (const scenario of report.scenarios) {
    if (scenario.error !== undefined) {
      lines.push(`| ${scenario.id} | ${scenario.title} | failed: ${escapeCell(firstLine(scenario.error))} | | | **failed** |`);
      continue;
    }
    for (const row of scenario.rows) {
      const verdict = row.goal === undefined ? "" : row.goal.met ? "met" : "**missed**";
      lines.push(`| ${row.scenario} | ${escapeCell(row.figure)} | ${row.display} | ${row.goal?.text ?? ""} | ${escapeCell(row.comparison?.text ?? "")} | ${verdict} |`);
    }
  }
  lines.push("", "Load average (1 min) before → after each scenario, and its wall time including set-up:");
  lines.push(
    report.scenarios.map((s) => `${s.id}: ${s.loadBefore.toFixed(1)} → ${s.loadAfter.toFixed(1)}, ${formatSeconds(s.seconds)}`).join(" · "),
  );
  return lines.join("\n");
}

/** Writes `bench-<date>.json` (figures, rows, machine) into `dir` and returns its path. */
export function writeReportJson(report: BenchReport, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${report.date.slice(0, 19).replace(/:/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  return file;
}

/** A row whose display is the value with its unit. */
export function row(scenario: number, figure: string, value: number, unit: string, extra: { goal?: Goal; comparison?: Comparison; display?: string } = {}): ReportRow {
  return {
    scenario,
    figure,
    value,
    unit,
    display: extra.display ?? `${formatNumber(value)} ${unit}`,
    ...(extra.goal === undefined ? {} : { goal: extra.goal }),
    ...(extra.comparison === undefined ? {} : { comparison: extra.comparison }),
  };
}

/** Three significant digits at most, grouped: 181,234 / 3.42 / 0.0123. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function formatSeconds(seconds: number): string {
  return `${formatNumber(seconds)} s`;
}

/** "12.3×" or "0.93×". */
export function formatRatio(ratio: number): string {
  return `${formatNumber(ratio)}×`;
}

const firstLine = (text: string): string => text.split("\n")[0] ?? "";
const escapeCell = (text: string): string => text.replace(/\|/g, "\\|");
