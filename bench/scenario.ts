/** What a bench scenario is: its sizes, what it runs with and what it reports. */
import type { ReportRow } from "./report";

export type BenchMode = "quick" | "default" | "full";

/** How big each scenario is. */
export interface BenchSizes {
  /** Scenario 1: record-ops sent through the client. */
  readonly clientRecords: number;
  /** Scenario 1: length of the one-patch-per-request baseline, in seconds. */
  readonly baselineSeconds: number;
  /** Scenario 2: IDs in the planned membership. */
  readonly planningIds: number;
  /** Scenario 2: sizes planned within the memory budget, on disk (issue 14). */
  readonly boundedPlanningIds: readonly number[];
  /** Scenario 3: IDs in the audience's initial set. */
  readonly e2eIds: number;
  /** Scenario 4: synthetic PII rows. */
  readonly hashingRows: number;
  /** Scenario 4: a second, larger size for the hashed-records-only paths (issue 14); 0 for none. */
  readonly hashingLargeRows: number;
  /** Scenario 5: the sweep's spec sizes in audiences, and no-op previews per size of ours and of the floor (medians reported). */
  readonly engineSizes: readonly number[];
  readonly enginePreviews: number;
  /** Scenario 5: audiences created against a metadata limit of `requestsPerSecond` (Amazon's is 1: `--full` only). */
  readonly catalogCreation: { readonly audiences: number; readonly requestsPerSecond: number };
  /** Scenario 6: audiences in the spec that is validated (the baseline has a tenth). */
  readonly validateAudiences: number;
}

/** What a scenario gets to run with. */
export interface ScenarioContext {
  readonly sizes: BenchSizes;
  /** Where CPU profiles of the Node.js processes a scenario starts go (the Pulumi program and providers). */
  readonly cpuProfileDir?: string;
  readonly log: (line: string) => void;
}

/** A scenario's own figures and its report rows. */
export interface ScenarioResult {
  readonly figures: unknown;
  readonly rows: ReportRow[];
}

export interface Scenario {
  readonly id: number;
  readonly title: string;
  /** Run its process with `--expose-gc` (worker threads refuse that flag, so only where no workers start). */
  readonly exposeGc?: boolean;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}
