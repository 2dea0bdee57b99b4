/**
 * For tests that play one provider history in memory and again in windows (issue 25): a provider
 * context against a simulator with a plan memory budget, a store that counts the sets copied onto
 * disk, and a log that keeps the lines the providers write; and this process's `dsp-plan-*` folders.
 */
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningSimulator } from "../../simulator";
import type { ClientTuning, ProviderContext } from "../../provider/provider-process/provider-context";
import { OWNER_FILE } from "../../provider/util/scratch-folder";
import { providerContext, simulatorConfig } from "./provider-context";

/** A context planning within `planMemoryBytes` (undefined: the default budget), its log lines (normalised) and the copies made. */
export interface WindowedContext {
  readonly context: ProviderContext;
  /** `severity: message` of every line logged since the last reset. */
  readonly lines: string[];
  spilledReads(): number;
}

export function windowedContext(
  sim: RunningSimulator,
  snapshotDir: string,
  options: { planMemoryBytes: number | undefined; clientOptions: ClientTuning; config?: Record<string, string>; normalise: (line: string) => string },
): WindowedContext {
  let spilledReads = 0;
  const lines: string[] = [];
  const context = providerContext({
    config: simulatorConfig(sim, snapshotDir, options.config),
    clientOptions: options.clientOptions,
    log: { log: async (severity, message) => void lines.push(options.normalise(`${severity}: ${message}`)) },
    wrapStore: (store) =>
      new Proxy(store, {
        get(target, name) {
          if (name === "getSpilled") spilledReads++;
          const value: unknown = Reflect.get(target, name);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
    ...(options.planMemoryBytes === undefined ? {} : { planMemoryBytes: options.planMemoryBytes }),
  });
  return { context, lines, spilledReads: () => spilledReads };
}

/** This process's `dsp-plan-*` folders in the temp folder (other processes may be planning too): none may outlive its operation. */
export function planFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => {
    if (!name.startsWith("dsp-plan-")) return false;
    try {
      return (JSON.parse(readFileSync(join(tmpdir(), name, OWNER_FILE), "utf8")) as { pid?: number }).pid === process.pid;
    } catch {
      return false; // being made, or removed, right now
    }
  });
}
