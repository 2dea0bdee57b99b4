/**
 * A `pulumi refresh` as a whole, seen from the provider process, which the engine asks to read
 * one audience at a time: whether this audience is read this run (`dsp:refreshSlices`), a line on
 * the stack's row saying which audiences the run reads, and progress with an ETA there. Each read
 * is one metadata GET, paced at the metadata rate (1 request/s at Amazon): 1,000 audiences take
 * about 17 minutes, a seventh of them under 3.
 *
 *     refresh: reads 43 of 300 audiences (slice 3 of 7, this day's; the others keep their state): big-spenders, …
 *     refresh: 20 of 43 audiences read (46.5 %), 1 audiences/s, ETA 23 s
 */
import { resolveRefreshSlicing, type RefreshSlicing } from "../config/refresh-slices";
import type { ProviderContext } from "../provider-process/provider-context";
import { progressTicker, type ProgressTicker } from "../provider-process/progress-line";
import { urnOf } from "../util/urn-input";
import { fmt } from "../util/format";
import { readCatalog, urnParts, type AudienceCatalog } from "./audience-catalog";
import { keysOfTurn, periodsUntilTurn, sliceName, sliceOfAudience, sliceOfPeriod } from "./refresh-slice";

/** This audience's part in the run. */
export interface RefreshTurn {
  /** Read it now; when false, its state stays as it is. */
  readonly read: boolean;
  /** Call once its read is done. */
  finished(): void;
}

/** The wording of the progress line (test/e2e/catalog-scale.test.ts reads it). */
export const REFRESH_PROGRESS = { label: "refresh", unit: "audiences", verb: "read" } as const;

interface RefreshRun {
  readonly slicing: RefreshSlicing | undefined;
  readonly startedMs: number;
  readonly ticker: ProgressTicker;
}

/**
 * The refresh a provider process takes part in: the engine starts one provider process per
 * `pulumi refresh`, so the first read of an audience lifecycle starts the run and the others join it.
 */
export class RefreshTurns {
  private run: Promise<RefreshRun> | undefined;

  /** @param now the run's clock (tests pass their own). @default Date.now */
  constructor(
    private readonly context: Pick<ProviderContext, "config" | "store" | "log">,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the audience `id` (state `props`) is read in this run. The first call starts the run:
   * it reads the stack's catalog and says on the stack's row what the run reads.
   */
  async turn(id: string, props: object): Promise<RefreshTurn> {
    const urn = urnOf(props);
    const parts = urn === undefined ? undefined : urnParts(urn);
    this.run ??= this.start(parts);
    const current = await this.run;
    const key = parts?.name ?? id;
    const slicing = current.slicing;
    const wait = slicing === undefined ? 0 : periodsUntilTurn(key, current.startedMs, slicing);
    if (slicing !== undefined && wait !== 0) {
      await this.context.log.log(
        "info",
        `audience ${key} (${id}): skipped this run, its state unchanged: it is in ${sliceName(sliceOfAudience(key, slicing.slices), slicing)}, ` +
          `read in ${wait} ${slicing.period}${wait === 1 ? "" : "s"} (dsp:refreshSlices)`,
        urn,
      );
      return { read: false, finished: () => undefined };
    }
    return { read: true, finished: () => current.ticker.tick() };
  }

  private async start(parts: { project: string; stack: string } | undefined): Promise<RefreshRun> {
    const { log } = this.context;
    const slicing = resolveRefreshSlicing(this.context.config);
    const startedMs = this.now();
    let catalog: AudienceCatalog | undefined;
    try {
      catalog = parts === undefined ? undefined : await readCatalog(this.context.store(), parts.project, parts.stack);
    } catch {
      // Without the record the run reads the same audiences; its lines only lack a total.
      catalog = undefined;
    }
    const toRead = catalog === undefined ? undefined : slicing === undefined ? catalog.audiences : keysOfTurn(catalog.audiences, startedMs, slicing);
    const ticker = progressTicker({ wording: REFRESH_PROGRESS, total: toRead?.length, now: this.now, emit: (line) => void log.log("info", line) });
    await log.log("info", announcement(catalog, toRead, slicing, startedMs));
    return { slicing, startedMs, ticker };
  }
}

/** The stack row's first line: how many audiences the run reads and, when sliced, which. */
export function announcement(catalog: AudienceCatalog | undefined, toRead: readonly string[] | undefined, slicing: RefreshSlicing | undefined, startedMs: number): string {
  const slice = slicing === undefined ? "" : `${sliceName(sliceOfPeriod(startedMs, slicing), slicing)}, this ${slicing.period}'s; the others keep their state`;
  if (catalog === undefined || toRead === undefined) {
    return slicing === undefined ? "refresh: reads every audience (one metadata GET each)" : `refresh: reads the audiences of ${slice} (no catalog record to name them: run \`pulumi up\` once)`;
  }
  if (slicing === undefined) return `refresh: reads all ${fmt(toRead.length)} audiences (one metadata GET each)`;
  if (toRead.length === 0) return `refresh: reads none of the ${fmt(catalog.audiences.length)} audiences (${slice})`;
  return `refresh: reads ${fmt(toRead.length)} of ${fmt(catalog.audiences.length)} audiences (${slice}): ${toRead.join(", ")}`;
}
