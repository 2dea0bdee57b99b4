/**
 * Planning benchmark: 5M random cookie IDs, 1 % removed and 1 % added.
 *
 * Measures what a `pulumi preview`/`up` of one membership costs locally:
 * loading ID files, planning, the applied-set snapshot (encode, size,
 * decode) and the bytes that go into Pulumi state. Prints figures; it is
 * not a test.
 *
 *     node -r ts-node/register/transpile-only --expose-gc bench/planning.ts [count] [churn]
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { loadavg } from "node:os";
import { membershipOps, planMembership, readIdFile, setDigest, type MembershipPlan } from "../provider/plan";
import { FileSnapshotStore } from "../provider/snapshots";
import { freshWorkDir } from "./work-dir";

/** Options for {@link runPlanningBench}. */
export interface PlanningBenchOptions {
  /** IDs in the applied set. @default 5_000_000 */
  readonly count?: number;
  /** Fraction of the applied IDs removed, and the same fraction added. @default 0.01 */
  readonly churn?: number;
  /** Where ID files and snapshots are written (deleted afterwards). @default bench/out/planning */
  readonly directory?: string;
  /** Receives progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

/** Elapsed and CPU time of one phase, in ms. CPU counts every thread (zlib works off the main one). */
export interface PhaseTiming {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** What {@link runPlanningBench} measured. Sizes in bytes, memory in MB (10^6 B). */
export interface PlanningBenchFigures {
  readonly count: number;
  readonly churn: number;
  /** 1-minute load average when the run started: the host is shared, so wall times depend on it. */
  readonly loadAverage: number;
  readonly appliedFileBytes: number;
  readonly desiredFileBytes: number;
  readonly loadAppliedFile: PhaseTiming;
  readonly loadDesiredFile: PhaseTiming;
  /** The merge alone, both sets in memory. */
  readonly plan: PhaseTiming;
  readonly addCount: number;
  readonly removeCount: number;
  /** Iterating every op of the plan (what the batcher consumes). */
  readonly ops: PhaseTiming;
  /** setDigest of the desired set. */
  readonly digest: PhaseTiming;
  /** FileSnapshotStore.put of the applied set (zstd-1 since issue 14; gzip-6 before). */
  readonly snapshotEncode: PhaseTiming;
  readonly snapshotBytes: number;
  /** FileSnapshotStore.get, verified. */
  readonly snapshotDecode: PhaseTiming;
  /** A preview as a provider runs it: desired set from its file and applied set from its snapshot, concurrently, then the merge. */
  readonly preview: PhaseTiming;
  /** JSON of the per-membership record kept in Pulumi state. */
  readonly stateBytes: number;
  /** Peak RSS (VmHWM) while loading both files, planning and writing the snapshot. */
  readonly peakRssFilesMb: number;
  /** Peak RSS (VmHWM) during the decode and the preview. */
  readonly peakRssPreviewMb: number;
  /** Whether the peak could be reset before each measured part (needs /proc/self/clear_refs). */
  readonly peakResetWorked: boolean;
}

const COOKIE_CHARS = 22;

/** Runs the benchmark once and returns its figures. */
export async function runPlanningBench(options: PlanningBenchOptions = {}): Promise<PlanningBenchFigures> {
  const count = options.count ?? 5_000_000;
  const churn = options.churn ?? 0.01;
  const log = options.log ?? ((line: string) => console.log(line));
  const directory = freshWorkDir("planning", options.directory);
  const appliedPath = join(directory, "applied.ids");
  const desiredPath = join(directory, "desired.ids");
  try {
    log(`generating ${count.toLocaleString("en")} cookie IDs, ${churn * 100} % churn …`);
    const expected = await writeIdFiles(appliedPath, desiredPath, count, churn);
    collectGarbage();
    const loadAverage = loadavg()[0] ?? Number.NaN;
    const filesPeakReset = resetPeakRss();
    const files = await measureFromFiles(appliedPath, desiredPath, join(directory, "snapshots"), expected, log);
    collectGarbage();
    const previewPeakReset = resetPeakRss();
    const preview = await measurePreview(desiredPath, files.store, files.appliedDigest, expected, log);
    const peakRssPreviewMb = peakRss();

    const stateBytes = Buffer.byteLength(
      JSON.stringify({
        audienceId: "72057594038053890",
        idType: "COOKIE",
        appliedDigest: files.appliedDigest,
        appliedCount: count,
        snapshotFormat: "dsp-idset/1",
        snapshotStore: "file:///var/lib/dsp-audiences/snapshots",
        lastAppliedAt: new Date(0).toISOString(),
        lastFullSyncAt: new Date(0).toISOString(),
      }),
    );
    log(`state per membership ${stateBytes} B (limit 65,536 B)`);
    const peakResetWorked = filesPeakReset && previewPeakReset;
    const caveat = peakResetWorked ? "" : " (not reset: includes earlier phases)";
    log(`peak RSS            files ${files.peakRssMb.toFixed(0)} MB, preview ${peakRssPreviewMb.toFixed(0)} MB${caveat}`);

    return {
      count,
      churn,
      loadAverage,
      appliedFileBytes: statSync(appliedPath).size,
      desiredFileBytes: statSync(desiredPath).size,
      ...files.figures,
      ...preview,
      stateBytes,
      peakRssFilesMb: files.peakRssMb,
      peakRssPreviewMb,
      peakResetWorked,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

type Expected = { adds: number; removes: number };

/** Both sets from files, the plan, its ops, the digest, and the applied set's snapshot. */
async function measureFromFiles(
  appliedPath: string,
  desiredPath: string,
  snapshotDirectory: string,
  expected: Expected,
  log: (line: string) => void,
): Promise<{
  figures: Pick<
    PlanningBenchFigures,
    | "loadAppliedFile"
    | "loadDesiredFile"
    | "plan"
    | "addCount"
    | "removeCount"
    | "ops"
    | "digest"
    | "snapshotEncode"
    | "snapshotBytes"
  >;
  store: FileSnapshotStore;
  appliedDigest: string;
  peakRssMb: number;
}> {
  const applied = await timed(() => readIdFile(appliedPath));
  log(`load applied file   ${format(applied.timing)}`);
  const desired = await timed(() => readIdFile(desiredPath));
  log(`load desired file   ${format(desired.timing)}`);
  const plan = await timed(async () => planMembership(applied.value, desired.value));
  log(`plan (merge)        ${format(plan.timing)}  +${plan.value.addCount} −${plan.value.removeCount}`);
  checkPlan(plan.value, expected);
  const ops = await timed(async () => {
    let n = 0;
    for (const op of membershipOps(plan.value, { type: "COOKIE", audienceIds: ["72057594038053890"] })) {
      if (op.value.length > 0) n++;
    }
    return n;
  });
  log(`iterate ${ops.value} ops  ${format(ops.timing)}`);
  const digest = await timed(async () => setDigest(desired.value));
  log(`digest              ${format(digest.timing)}`);
  const store = new FileSnapshotStore(snapshotDirectory);
  const put = await timed(() => store.put(applied.value));
  const snapshotBytes = statSync(store.pathOf(put.value)).size;
  log(`snapshot encode     ${format(put.timing)}  ${(snapshotBytes / 1e6).toFixed(1)} MB`);
  return {
    figures: {
      loadAppliedFile: applied.timing,
      loadDesiredFile: desired.timing,
      plan: plan.timing,
      addCount: plan.value.addCount,
      removeCount: plan.value.removeCount,
      ops: ops.timing,
      digest: digest.timing,
      snapshotEncode: put.timing,
      snapshotBytes,
    },
    store,
    appliedDigest: put.value,
    peakRssMb: peakRss(),
  };
}

/**
 * The snapshot decode alone, then a preview as a provider would run it:
 * desired set from its file and applied set from its snapshot, loaded
 * concurrently (gunzip runs on the libuv pool), then the merge.
 */
async function measurePreview(
  desiredPath: string,
  store: FileSnapshotStore,
  appliedDigest: string,
  expected: Expected,
  log: (line: string) => void,
): Promise<Pick<PlanningBenchFigures, "snapshotDecode" | "preview">> {
  const decode = await timed(async () => (await store.get(appliedDigest)).size);
  log(`snapshot decode     ${format(decode.timing)}`);
  collectGarbage();
  const preview = await timed(async () => {
    const [desired, applied] = await Promise.all([readIdFile(desiredPath), store.get(appliedDigest)]);
    return planMembership(applied, desired);
  });
  log(`preview (desired file ∥ applied snapshot, then merge) ${format(preview.timing)}`);
  checkPlan(preview.value, expected);
  return { snapshotDecode: decode.timing, preview: preview.timing };
}

function checkPlan(plan: MembershipPlan, expected: Expected): void {
  if (plan.addCount !== expected.adds || plan.removeCount !== expected.removes) {
    throw new Error(`plan is wrong: +${plan.addCount} −${plan.removeCount}, expected +${expected.adds} −${expected.removes}`);
  }
}

/**
 * Writes `count` random cookie IDs to `appliedPath`, and to `desiredPath`
 * the same minus every (1/churn)-th plus as many new ones. Buffers only,
 * so generating does not inflate the heap being measured.
 */
async function writeIdFiles(
  appliedPath: string,
  desiredPath: string,
  count: number,
  churn: number,
): Promise<Expected> {
  const applied = createWriteStream(appliedPath);
  const desired = createWriteStream(desiredPath);
  const removeEvery = Math.max(1, Math.round(1 / churn));
  const batch = 100_000;
  let removes = 0;
  for (let first = 0; first < count; first += batch) {
    const n = Math.min(batch, count - first);
    const lines = randomIdLines(n);
    const kept = Buffer.allocUnsafe(lines.length);
    let keptBytes = 0;
    for (let k = 0; k < n; k++) {
      if ((first + k) % removeEvery === 0) {
        removes++;
        continue;
      }
      lines.copy(kept, keptBytes, k * (COOKIE_CHARS + 1), (k + 1) * (COOKIE_CHARS + 1));
      keptBytes += COOKIE_CHARS + 1;
    }
    if (!applied.write(lines)) await once(applied, "drain");
    if (!desired.write(kept.subarray(0, keptBytes))) await once(desired, "drain");
  }
  const adds = removes;
  for (let written = 0; written < adds; written += batch) desired.write(randomIdLines(Math.min(batch, adds - written)));
  applied.end();
  desired.end();
  await Promise.all([once(applied, "finish"), once(desired, "finish")]);
  return { adds, removes };
}

/** `n` random 22-char base64url IDs (132 random bits), one per line. */
function randomIdLines(n: number): Buffer {
  const text = randomBytes(Math.ceil((n * COOKIE_CHARS * 6) / 8)).toString("base64url");
  const lines = Buffer.allocUnsafe(n * (COOKIE_CHARS + 1));
  for (let k = 0; k < n; k++) {
    lines.write(text.slice(k * COOKIE_CHARS, (k + 1) * COOKIE_CHARS), k * (COOKIE_CHARS + 1), "latin1");
    lines[k * (COOKIE_CHARS + 1) + COOKIE_CHARS] = 0x0a;
  }
  return lines;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; timing: PhaseTiming }> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const value = await work();
  const cpu = process.cpuUsage(cpuStart);
  return { value, timing: { wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 } };
}

function format(timing: PhaseTiming): string {
  return `${(timing.wallMs / 1000).toFixed(2)} s (CPU ${(timing.cpuMs / 1000).toFixed(2)} s)`;
}

/** Only with --expose-gc; otherwise garbage from generating may still count. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Resets VmHWM to the current RSS (Linux); false where that is not allowed. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

export function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match === null ? Number.NaN : (Number(match[1]) * 1024) / 1e6;
}

if (require.main === module) {
  const [count, churn] = process.argv.slice(2).map(Number);
  runPlanningBench({
    ...(count === undefined || Number.isNaN(count) ? {} : { count }),
    ...(churn === undefined || Number.isNaN(churn) ? {} : { churn }),
  })
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
