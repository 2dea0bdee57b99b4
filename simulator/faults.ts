/**
 * Seeded fault injection. One PRNG draw per faultable request picks the fault, so a fixed seed
 * and the same request order give the same faults. A faulted request is answered (or dropped)
 * before it touches state, so clients may retry it safely; `applyThenFail` opts into the nastier
 * "processed, then 5xx" behaviour.
 */
import type { FaultOptions } from "./options";

import { mulberry32 } from "../provider/util/seeded-random";

export { mulberry32 };

export type FaultKind = "none" | "drop" | "429" | "500" | "503";

export interface FaultDecision {
  kind: FaultKind;
  latencyMs: number;
  /** For 500/503: process the request first, then answer the error. */
  applyThenFail: boolean;
}

const NO_FAULT: FaultDecision = { kind: "none", latencyMs: 0, applyThenFail: false };

export class FaultInjector {
  private options: FaultOptions = {};
  private random: () => number = mulberry32(1);
  /** Faults left under `count`; Infinity without one. */
  private left = Infinity;

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  /** Replaces the options and restarts the PRNG from the seed. */
  set(options: FaultOptions): void {
    const problem = checkFaultOptions(options);
    if (problem) throw new Error(`simulator: ${problem}`);
    this.options = {
      ...options,
      ...(options.paths ? { paths: [...options.paths] } : {}),
      ...(options.routes ? { routes: [...options.routes] } : {}),
    };
    this.random = mulberry32(options.seed ?? 1);
    this.left = options.count ?? Infinity;
  }

  get current(): FaultOptions {
    return { ...this.options };
  }

  /** Faults (or, for a latency-only rule, delayed requests) left before a `count` rule is spent; undefined without `count`. */
  get remaining(): number | undefined {
    return this.left === Infinity ? undefined : this.left;
  }

  /** Decides the fault of one request to a faultable route at `path` (`method` narrows `routes`). */
  decide(path: string, method = ""): FaultDecision {
    const o = this.options;
    if (!this.targets(path, method) || this.left <= 0) return NO_FAULT;
    const drop = o.dropRate ?? 0;
    const r429 = o.rate429 ?? 0;
    const r5xx = o.rate5xx ?? 0;
    const latencyMs = o.latencyMs ?? 0;
    if (drop + r429 + r5xx === 0) {
      if (latencyMs <= 0) return NO_FAULT;
      this.left -= 1;
      return { ...NO_FAULT, latencyMs };
    }
    const u = this.random();
    let kind: FaultKind = "none";
    if (u < drop) kind = "drop";
    else if (u < drop + r429) kind = "429";
    else if (u < drop + r429 + r5xx) kind = this.random() < 0.5 ? "500" : "503";
    if (kind !== "none") this.left -= 1;
    return { kind, latencyMs, applyThenFail: (kind === "500" || kind === "503") && o.applyThenFail === true };
  }

  /** `paths` (prefixes) and `routes` (exact) both have to admit the request when given. */
  private targets(path: string, method: string): boolean {
    const { paths, routes } = this.options;
    if (paths && !paths.some((p) => path.startsWith(p))) return false;
    if (routes && !routes.some((r) => routeMatches(r, method, path))) return false;
    return true;
  }
}

/** `"PATCH /v2/dp/audience"` (method and exact path) or `"/v2/dp/audience"` (exact path, any method); a trailing `/` does not count. */
export function routeMatches(route: string, method: string, path: string): boolean {
  const space = route.indexOf(" ");
  const wantMethod = space < 0 ? undefined : route.slice(0, space).toUpperCase();
  const wantPath = (space < 0 ? route : route.slice(space + 1)).trim();
  const trim = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, "") : p);
  if (wantMethod !== undefined && wantMethod !== method.toUpperCase()) return false;
  return trim(wantPath) === trim(path);
}

/** Why `value` is not a valid FaultOptions, or undefined. Used for `POST /__sim/faults` too. */
export function checkFaultOptions(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "faults must be an object";
  const o = value as Record<string, unknown>;
  const known = ["seed", "rate429", "rate5xx", "latencyMs", "dropRate", "paths", "routes", "count", "applyThenFail"];
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown !== undefined) return `unknown fault option '${unknown}'`;
  if (o.seed !== undefined && !Number.isInteger(o.seed)) return "seed must be an integer";
  for (const rate of ["rate429", "rate5xx", "dropRate"]) {
    const v = o[rate];
    if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= 1)) return `${rate} must be a number in [0, 1]`;
  }
  const sum = ((o.rate429 as number) ?? 0) + ((o.rate5xx as number) ?? 0) + ((o.dropRate as number) ?? 0);
  if (sum > 1 + 1e-12) return "rate429 + rate5xx + dropRate must not exceed 1";
  if (o.latencyMs !== undefined && !(typeof o.latencyMs === "number" && o.latencyMs >= 0 && Number.isFinite(o.latencyMs))) {
    return "latencyMs must be a non-negative number";
  }
  if (o.paths !== undefined && !(Array.isArray(o.paths) && o.paths.every((p) => typeof p === "string"))) {
    return "paths must be an array of strings";
  }
  if (o.routes !== undefined && !(Array.isArray(o.routes) && o.routes.every((r) => typeof r === "string" && /^([A-Za-z]+ )?\/\S*$/.test(r)))) {
    return "routes must be an array of exact routes like \"PATCH /v2/dp/audience\" or \"/v2/dp/audience\"";
  }
  if (o.count !== undefined && !(Number.isInteger(o.count) && (o.count as number) >= 0)) return "count must be a non-negative integer";
  if (o.applyThenFail !== undefined && typeof o.applyThenFail !== "boolean") return "applyThenFail must be a boolean";
  return undefined;
}
