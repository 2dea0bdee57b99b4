/**
 * Scenario 6 (issue 12): how `dsp-audiences validate` and the program's loader scale with the
 * number of audiences. Loads a generated spec of `audiences` audiences with `loadSpec` (what both
 * use), after one of a tenth the size: linear scaling makes the large load take about ten times
 * the small one. Runs alone too: `node -r ts-node/register/transpile-only bench/validate-scale.ts 100000`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec } from "../provider/spec";

/** Options of {@link runValidateScaleBench}. */
export interface ValidateScaleOptions {
  /** Audiences in the large spec; the baseline spec has a tenth of them. */
  readonly audiences: number;
  readonly log?: (line: string) => void;
}

/** One load: how many audiences, how long, how big the spec was. */
export interface ValidateRun {
  readonly audiences: number;
  readonly bytes: number;
  readonly seconds: number;
}

export interface ValidateScaleFigures {
  readonly baseline: ValidateRun;
  readonly large: ValidateRun;
  /** large.seconds ÷ (10 × baseline.seconds): 1 is linear, 10 would be quadratic. */
  readonly ratioToLinear: number;
}

/**
 * Audiences shaped like issue 12's measurement (10,000 in 0.4 MB): a key and a name each, with the
 * advertiser and countries in `defaults`. What grew quadratically was the lookups per audience, which
 * every audience makes whatever else it holds.
 */
export function specWithAudiences(count: number): string {
  const lines = ["version: 1", "defaults:", '  advertiserId: "5840142710901"', "  dataSourceCountry: [US]", "audiences:"];
  for (let i = 0; i < count; i++) {
    const key = `a${String(i).padStart(6, "0")}`;
    lines.push(`  ${key}:`, `    name: Audience ${key} 2026`);
  }
  return `${lines.join("\n")}\n`;
}

async function timeLoad(dir: string, audiences: number): Promise<ValidateRun> {
  const file = join(dir, `audiences-${audiences}.yaml`);
  const text = specWithAudiences(audiences);
  writeFileSync(file, text);
  const started = process.hrtime.bigint();
  const spec = await loadSpec(file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (spec.audiences.length !== audiences) throw new Error(`loaded ${spec.audiences.length} of ${audiences} audiences`);
  return { audiences, bytes: Buffer.byteLength(text), seconds };
}

export async function runValidateScaleBench(options: ValidateScaleOptions): Promise<ValidateScaleFigures> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), "dsp-bench-validate-"));
  try {
    // A first small load compiles the schema and warms the code paths for both measured loads.
    await timeLoad(dir, 100);
    const baseline = await timeLoad(dir, Math.max(1, Math.round(options.audiences / 10)));
    log(`validate: ${baseline.audiences.toLocaleString("en-US")} audiences in ${baseline.seconds.toFixed(2)} s`);
    const large = await timeLoad(dir, options.audiences);
    log(`validate: ${large.audiences.toLocaleString("en-US")} audiences in ${large.seconds.toFixed(2)} s`);
    return { baseline, large, ratioToLinear: large.seconds / (10 * baseline.seconds) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const audiences = Number(process.argv[2] ?? 100_000);
  runValidateScaleBench({ audiences, log: (line) => console.error(line) }).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
