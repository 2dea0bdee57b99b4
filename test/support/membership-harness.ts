/**
 * Drives the membership provider's lifecycle functions the way the engine would, against the
 * in-process simulator, with the interruptions of a real `up`: faults, and a "crash" (the
 * process killed) after n requests, after the answers, or before the state is written. State is
 * what Pulumi would keep: the outputs of the last create/update that returned (or failed with
 * partial state), unchanged when the process was killed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, type RunningSimulator } from "../../simulator";
import type { DspClient } from "../../provider/client";
import { idSetFrom, type MembershipIdType } from "../../provider/plan";
import type * as pulumi from "@pulumi/pulumi";
import { makeAudienceProvider, type AudienceInputs, type AudienceOutputs } from "../../provider/audience/audience-provider";
import { makeMembershipProvider, type MembershipInputs, type MembershipOutputs } from "../../provider/membership/membership-provider";
import type { ProviderContext } from "../../provider/provider-process/provider-context";
import { providerContext, simulatorConfig, type TestContextOptions } from "./provider-context";
import { putNearBase, type SnapshotStore } from "../../provider/snapshots";
import { lastKnownApplied } from "../../provider/sync/set-sync-record";

/** Thrown where the simulated `kill -9` hits: nothing after it runs. */
export class SimulatedCrash extends Error {
  override name = "SimulatedCrash";
}

/** When the next up is killed. */
export type CrashPoint =
  | { kind: "none" }
  /** n requests are sent and answered; request n+1 reaches Amazon, then the process dies. */
  | { kind: "after-requests"; n: number }
  /** Everything is sent and the provider finishes, but the engine dies before writing the state. */
  | { kind: "before-state" };

export interface UpResult {
  /** "ok", a failure with partial state recorded, or killed (state unchanged). */
  kind: "ok" | "partial" | "killed" | "failed";
  error?: unknown;
  /** What diff said (undefined for a create). */
  changes?: boolean;
  /** The plan lines the provider logged (preview output). */
  lines: string[];
  /** The add and remove patches of every body the up put on the wire (answered or not). */
  sent?: { adds: number; removes: number };
}

/** A preview alone: what diff (or check, for a create) says, with no update. */
export interface PreviewResult {
  changes: boolean;
  lines: string[];
}

/** The old inputs the engine passes to `check` for a resource it is about to create: none. */
export function noInputs<T extends object>(): T {
  return {} as T;
}

/** The IDs `<prefix><from>` … `<prefix><to - 1>`. */
export function idRange(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
}

/**
 * A harness for the current mocha suite: simulator started before it and stopped after, faults
 * cleared and a fresh audience before each test.
 */
export function harnessPerTest(planMemoryBytes?: number): MembershipHarness {
  const h = new MembershipHarness(planMemoryBytes);
  before(() => h.start());
  after(() => h.stop());
  beforeEach(async () => {
    h.sim.setFaults({});
    await h.newAudience();
  });
  return h;
}

export class MembershipHarness {
  sim!: RunningSimulator;
  /** The provider process now: its context and the providers made with it (see {@link newProcess}). */
  context!: ProviderContext;
  /** The membership provider of {@link context}. */
  membershipProvider!: pulumi.dynamic.ResourceProvider<MembershipInputs, MembershipOutputs>;
  /** The audience provider of {@link context}. */
  audiences!: pulumi.dynamic.ResourceProvider<AudienceInputs, AudienceOutputs>;
  /** What every provider process of this harness is given besides the harness's own (e.g. a fake clock for holds). */
  private processOptions: TestContextOptions = {};
  audienceId = "";
  /** Pulumi's state of each membership by name. */
  readonly state = new Map<string, MembershipOutputs>();
  private dir = "";
  private crashed = false;
  /** Digests of the sets read whole from the store (`get`), in order. */
  readonly wholeReads: string[] = [];
  /** Digests of the sets copied onto disk (`getSpilled`) to be planned in windows, in order. */
  readonly spilledReads: string[] = [];
  private patchCalls = 0;
  private crashAfter: number | undefined;
  /** Inputs every membership gets besides those made from its IDs (e.g. the spec's historyRetentionDays). */
  extraInputs: Partial<MembershipInputs> = {};
  /** Add and remove patches put on the wire since the last `arm`. */
  private sent = { adds: 0, removes: 0 };

  /** @param planMemoryBytes the provider's plan memory budget; small ones make it plan in windows. @default the provider's own */
  constructor(private readonly planMemoryBytes?: number) {}

  async start(): Promise<void> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-membership-"));
    this.sim = await startSimulator({ port: 0, limits: { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 } });
    this.newProcess();
  }

  /**
   * The next provider process: a fresh context (its own client, plans and sweeps) with the
   * harness's settings and `options`, which later processes keep too.
   */
  newProcess(options: TestContextOptions = {}): ProviderContext {
    this.processOptions = { ...this.processOptions, ...options };
    this.context?.close();
    this.context = providerContext({
      config: simulatorConfig(this.sim, path.join(this.dir, "snapshots")),
      clientOptions: {
        retry: { maxAttempts: 1 },
        throttle: { metadata: { ratePerSecond: 10_000, burst: 1000, spacingMarginMs: 0 }, audienceMembership: { ratePerSecond: 100_000, burst: 1000 } },
      },
      send: { limits: { maxBodyBytes: 1_000_000, maxPatches: 4 }, concurrency: 3 },
      wrapClient: (client) => this.crashingClient(client),
      wrapStore: (store) => this.crashingStore(store),
      ...(this.planMemoryBytes === undefined ? {} : { planMemoryBytes: this.planMemoryBytes }),
      ...this.processOptions,
    });
    this.membershipProvider = makeMembershipProvider(this.context);
    this.audiences = makeAudienceProvider(this.context);
    return this.context;
  }

  async stop(): Promise<void> {
    this.context?.close();
    await this.sim?.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A fresh audience (and no memberships in state). */
  async newAudience(name = "Harness audience"): Promise<string> {
    const created = await this.context.client().createAudience({
      name,
      description: "",
      advertiserId: "42",
      externalAudienceId: `harness-${Math.random().toString(36).slice(2)}`,
      dataSourceCountry: ["US"],
    });
    this.audienceId = created.audienceId;
    this.state.clear();
    return this.audienceId;
  }

  /** What the program does: store the desired set (as a delta over what the audience holds when worth it), build the inputs. */
  async inputs(name: string, ids: readonly string[], idType: MembershipIdType = "COOKIE", audienceId = this.audienceId): Promise<MembershipInputs> {
    const set = idSetFrom(ids);
    const store = this.context.store();
    const { digest: desiredDigest } = await putNearBase(store, set, await lastKnownApplied(store, audienceId, idType));
    return { audienceId, idType, desiredDigest, desiredCount: set.size, label: name, ...this.extraInputs };
  }

  /** The simulator's members of one type. */
  members(idType: MembershipIdType = "COOKIE", audienceId = this.audienceId): string[] {
    return this.sim.store.members(audienceId)?.[idType] ?? [];
  }

  /** One `pulumi preview` of membership `name` towards `ids`: nothing is sent. */
  async preview(name: string, ids: readonly string[]): Promise<PreviewResult> {
    const news = await this.inputs(name, ids);
    const lines: string[] = [];
    const held = this.state.get(name);
    return captureLines(lines, async (): Promise<PreviewResult> => {
      if (!held) {
        await this.membershipProvider.check!(noInputs(), news);
        return { changes: true, lines };
      }
      const diff = await this.membershipProvider.diff!(`${held.audienceId}/${held.idType}`, held, news);
      return { changes: diff.changes === true, lines };
    });
  }

  /** One `pulumi up` of membership `name` towards `ids`. */
  async up(name: string, ids: readonly string[], crash: CrashPoint = { kind: "none" }): Promise<UpResult> {
    const news = await this.inputs(name, ids);
    const lines: string[] = [];
    const held = this.state.get(name);
    const result = await captureLines(lines, async (): Promise<UpResult> => {
      let changes: boolean | undefined;
      if (held) {
        const diff = await this.membershipProvider.diff!(`${held.audienceId}/${held.idType}`, held, news);
        changes = diff.changes;
        if (diff.changes !== true) return { kind: "ok", changes: false, lines };
      } else {
        await this.membershipProvider.check!(noInputs(), news);
      }
      this.arm(crash);
      try {
        const outs = held
          ? (await this.membershipProvider.update!(`${held.audienceId}/${held.idType}`, held, news)).outs
          : (await this.membershipProvider.create(news)).outs;
        if (crash.kind === "before-state") return { kind: "killed", ...(changes === undefined ? {} : { changes }), lines, sent: { ...this.sent } };
        this.state.set(name, outs as MembershipOutputs);
        return { kind: "ok", ...(changes === undefined ? {} : { changes }), lines, sent: { ...this.sent } };
      } catch (error) {
        if (this.crashed || error instanceof SimulatedCrash) return { kind: "killed", error, lines };
        const partial = (error as { properties?: MembershipOutputs }).properties;
        if (partial) {
          this.state.set(name, partial);
          return { kind: "partial", error, lines, sent: { ...this.sent } };
        }
        return { kind: "failed", error, lines };
      } finally {
        this.disarm();
      }
    });
    return result;
  }

  /** `pulumi destroy` (or the delete of a membership that left the program). */
  async destroy(name: string, crash: CrashPoint = { kind: "none" }): Promise<UpResult> {
    const held = this.state.get(name);
    if (!held) return { kind: "ok", lines: [] };
    const lines: string[] = [];
    return captureLines(lines, async (): Promise<UpResult> => {
      this.arm(crash);
      try {
        await this.membershipProvider.delete!(`${held.audienceId}/${held.idType}`, held);
        if (crash.kind === "before-state") return { kind: "killed", lines };
        this.state.delete(name);
        return { kind: "ok", lines };
      } catch (error) {
        if (this.crashed || error instanceof SimulatedCrash) return { kind: "killed", error, lines };
        return { kind: "failed", error, lines };
      } finally {
        this.disarm();
      }
    });
  }

  private arm(crash: CrashPoint): void {
    this.crashed = false;
    this.patchCalls = 0;
    this.sent = { adds: 0, removes: 0 };
    this.crashAfter = crash.kind === "after-requests" ? crash.n : undefined;
  }

  private disarm(): void {
    this.crashed = false;
    this.crashAfter = undefined;
  }

  private crashingClient(client: DspClient): DspClient {
    return new Proxy(client, {
      get: (target, property, receiver) => {
        if (property === "sendBody") {
          return async (...args: Parameters<DspClient["sendBody"]>) => {
            if (args[0].kind !== "audienceMembership") return target.sendBody(...args);
            if (this.crashed) throw new SimulatedCrash("the process is gone");
            this.patchCalls++;
            this.countSent(args[0].batch.body);
            if (this.crashAfter !== undefined && this.patchCalls > this.crashAfter) {
              // The request reaches Amazon; the process dies before the answer is read.
              await target.sendBody(...args).catch(() => undefined);
              this.crashed = true;
              throw new SimulatedCrash("killed after sending");
            }
            return target.sendBody(...args);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Counts the add and remove patches of a PATCH /v2/dp/audience body. */
  private countSent(body: Buffer): void {
    const { patches } = JSON.parse(body.toString("utf8")) as { patches: Array<{ op: string }> };
    for (const { op } of patches) {
      if (op === "add") this.sent.adds++;
      else if (op === "remove") this.sent.removes++;
    }
  }

  private crashingStore(store: SnapshotStore): SnapshotStore {
    const check = (): void => {
      if (this.crashed) throw new SimulatedCrash("the process is gone");
    };
    return {
      location: store.location,
      has: (digest) => store.has(digest),
      get: (digest) => {
        this.wholeReads.push(digest);
        return store.get(digest);
      },
      getSpilled: (digest, directory) => {
        this.spilledReads.push(digest);
        return store.getSpilled(digest, directory);
      },
      getDelta: (digest) => store.getDelta(digest),
      depthOf: (digest) => store.depthOf(digest),
      readRecord: (name) => store.readRecord(name),
      put: async (set) => {
        check();
        return store.put(set);
      },
      putDelta: async (delta) => {
        check();
        return store.putDelta(delta);
      },
      writeRecord: async (name, value) => {
        check();
        return store.writeRecord(name, value);
      },
      deleteRecord: async (name) => {
        check();
        return store.deleteRecord(name);
      },
      listRecords: (prefix) => store.listRecords(prefix),
    };
  }
}

/** Runs `fn`, collecting the engine-log lines it writes to stderr (outside a provider process the log goes there). */
export async function captureLines<T>(lines: string[], fn: () => Promise<T>): Promise<T> {
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const m = /^(info|warning|error): ([\s\S]*)$/.exec(text);
    if (m) {
      lines.push(m[2]!.trimEnd());
      return true;
    }
    return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stderr.write = original;
  }
}

/** Audience inputs as the program builds them: a fresh externalAudienceId each call (`<prefix>-<n>`). */
export function audienceInputsMaker(prefix: string, name: string): (over?: Partial<AudienceInputs>) => AudienceInputs {
  let n = 0;
  return (over = {}) => ({
    name,
    description: "first",
    advertiserId: "42",
    externalAudienceId: `${prefix}-${++n}`,
    dataSourceCountry: ["US"],
    ttl: 1000,
    ...over,
  });
}
