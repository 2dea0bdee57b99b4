/**
 * Local simulator of the Amazon DSP Data Provider API: a real `node:http` server on loopback,
 * the demo's default endpoint and the HTTP peer of every client and end-to-end test.
 * See simulator/README.md.
 */
import { SimulatorCore } from "./core";
import type { RecordType } from "./model";
import { parseMemberChange } from "./routes/admin";
import { resolveOptions, type FaultOptions, type SimulatorOptions } from "./options";
import { createSimulatorServer } from "./server";
import type { SimulatorStore } from "./store";

export {
  DEFAULT_LIMITS,
  SIMULATOR_CREDENTIALS,
  type FaultOptions,
  type MatchRates,
  type SimulatorClientCredentials,
  type SimulatorLimits,
  type SimulatorOptions,
} from "./options";
export type { SimulatorStore, MemberCounts, MemberLists } from "./store";
export type { AudienceSize, DeletionRequest, HashedRecordSummary, RecordType, RequestLogEntry, StoredAudience } from "./model";
export { matchScore } from "./match-model";

export interface RunningSimulator {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:43123`; the token endpoint is `${url}/auth/o2/token`. */
  url: string;
  port: number;
  /** Applies pending patches, closes the server and, with `dataDir`, snapshots the state. */
  stop(): Promise<void>;
  /** Replaces the fault options and restarts the fault PRNG from their seed. */
  setFaults(f: FaultOptions): void;
  /** Faults left under the current rule's `count` (undefined without one). */
  faultsRemaining(): number | undefined;
  /**
   * Changes members out of band, as a console user would (same as `POST /__sim/audiences/{id}/members`):
   * removes first, then adds. @throws for an unknown audience or a bad change
   */
  changeMembers(audienceId: string, change: MemberChange): void;
  /** Read access for in-process tests. */
  store: SimulatorStore;
}

/** An out-of-band membership change: values by record type. */
export interface MemberChange {
  add?: Partial<Record<RecordType, string[]>>;
  remove?: Partial<Record<RecordType, string[]>>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const options = resolveOptions(opts);
  const core = new SimulatorCore(options);
  const server = createSimulatorServer(core);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    core.close();
    throw err;
  }
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("simulator: unexpected server address");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.log?.(`DSP simulator listening on ${url}`);

  let stopped: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    store: core.store,
    setFaults: (f) => core.faults.set(f),
    faultsRemaining: () => core.faults.remaining,
    changeMembers: (audienceId, change) => {
      if (!core.store.peekAudience(audienceId)) throw new Error(`simulator: no audience with id ${audienceId}`);
      const parsed = parseMemberChange(audienceId, change);
      if (!parsed.ok) throw new Error(`simulator: ${parsed.problem}`);
      const ordered = [...parsed.groups.filter((g) => g[0] === "-"), ...parsed.groups.filter((g) => g[0] === "+")];
      if (ordered.length > 0) core.commit([{ k: "members", g: ordered }]);
    },
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        server.close((err) => {
          try {
            core.close();
          } catch (closeErr) {
            return reject(closeErr as Error);
          }
          return err ? reject(err) : resolve();
        });
        server.closeAllConnections();
      })),
  };
}
