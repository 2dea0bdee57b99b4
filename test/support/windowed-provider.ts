/**
 * For tests that play one provider history in memory and again in windows (issue 25): provider
 * overrides with a plan memory budget and a store that counts the sets copied onto disk, the
 * engine lines the provider writes (to stderr outside a provider process), and the `dsp-plan-*`
 * folders in the temp folder.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { setProviderOverrides, type ProviderOverrides } from "../../provider/provider-process/provider-context";
import { OWNER_FILE } from "../../provider/util/scratch-folder";
import { clearSimulatorConfig } from "./provider-config";

/**
 * Sets the overrides with `planMemoryBytes` (undefined: the provider's own budget); `spilledReads()`
 * counts the copies made since; `end()` clears the overrides and the simulator config.
 */
export function useWindowedOverrides(planMemoryBytes: number | undefined, client: NonNullable<ProviderOverrides["client"]>): { spilledReads: () => number; end: () => void } {
  let spilledReads = 0;
  setProviderOverrides({
    client,
    wrapStore: (store) =>
      new Proxy(store, {
        get(target, name) {
          if (name === "getSpilled") spilledReads++;
          const value: unknown = Reflect.get(target, name);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
    ...(planMemoryBytes === undefined ? {} : { planMemoryBytes }),
  });
  return {
    spilledReads: () => spilledReads,
    end: () => {
      setProviderOverrides({});
      clearSimulatorConfig();
    },
  };
}

/** Keeps the stderr lines that match `pattern` (normalised) in `lines` instead of printing them, until `restore()`. */
export function captureEngineLines(pattern: RegExp, normalise: (line: string) => string): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!pattern.test(text)) return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    lines.push(normalise(text.trim()));
    return true;
  }) as typeof process.stderr.write;
  return { lines, restore: () => void (process.stderr.write = write) };
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
