/**
 * Reads every ID source of a spec in the program (issue 15): members of every audience and ID
 * type except records uploads, each audience's `exclude:` and the spec's `suppress:` list, all
 * of them even when some fail. Then each membership's set is its members minus its exclusions
 * minus the suppression list; how many the suppression list and `onInvalid: skip` took out is
 * kept for the preview line. Each source is read once per program run.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BuiltSet } from "../plan";
import { REMOVAL_LIST_SHARE, resolvePlanMemoryBytes } from "../config/plan-memory";
import { resolveSnapshotLocation, type SnapshotLocation } from "../config/snapshot-location";
import { ID_TYPES, type IdListSource, type IdType, type LoadedSpec } from "../spec";
import { SourceReader } from "../sources";
import { applyRemovals, releaseRemovals, RemovalList, type Removals } from "./removal-lists";
import type { InputFailure } from "./input-diagnostics";

/** What the sources left out of one membership, shown in its preview line. */
export interface LeftOut {
  /** Members removed because they are on the `suppress:` list (after the audience's own exclusions). */
  suppressed: number;
  /** Rows `onInvalid: skip` left out of the member source. */
  skipped: number;
}

/** The key of a membership in the maps below. */
export function memberSetKey(audienceKey: string, idType: string): string {
  return `${audienceKey}\0${idType}`;
}

/** Every membership's final set (records uploads excepted), and what went into it. */
export interface MemberSources {
  /** Final member sets by {@link memberSetKey}; those larger than `dsp:planMemoryMB` on disk. */
  memberSets: Map<string, BuiltSet>;
  /** By {@link memberSetKey}; present for every membership with members. */
  leftOut: Map<string, LeftOut>;
  /**
   * IDs to remove from records-upload memberships, by {@link memberSetKey}: exclusions, then
   * suppression; each list on disk is deleted once every membership that uses it applied it.
   */
  removals: Map<string, Removals>;
  failures: InputFailure[];
}

/** Reads the spec's ID sources; failures in spec order. */
export async function readMemberSources(spec: LoadedSpec, config: (key: string) => string | undefined = secretConfig): Promise<MemberSources> {
  let memoryBytes: number;
  try {
    memoryBytes = resolvePlanMemoryBytes(config);
  } catch (error) {
    // A bad budget is an input error like a bad source: reported, nothing read.
    return { memberSets: new Map(), leftOut: new Map(), removals: new Map(), failures: [{ context: "", error }] };
  }
  const reader = new SourceReader({
    sources: spec.sources,
    dir: spec.dir,
    allowedRoots: spec.settings.allowedRoots,
    allowedObjectRoots: spec.settings.allowedObjectRoots,
    ...snapshotStoreOf(config),
    queryTimeoutMs: spec.settings.queryTimeoutSeconds * 1000,
    config,
    env: process.env,
    memoryBytes,
  });
  const failures: Array<InputFailure | undefined> = [];
  // The sets of one membership share the budget: each exclusion or suppression list a share, the members the rest.
  const listBytes = Math.floor(memoryBytes * REMOVAL_LIST_SHARE);
  const read = (source: IdListSource, idType: IdType, what: string, users: number): Promise<RemovalList | undefined> =>
    readWith(reader.readMembers(source, idType, what, listBytes)).then((list) => (list === undefined ? undefined : new RemovalList(list.set, users)));
  const readMembers = (source: IdListSource, idType: IdType, what: string, lists: number): Promise<{ set: BuiltSet; skipped: number } | undefined> =>
    readWith(reader.readMembers(source, idType, what, memoryBytes - lists * listBytes));
  const readWith = <T>(reading: Promise<T>): Promise<T | undefined> => {
    const slot = failures.push(undefined) - 1;
    return reading.catch((error: unknown) => {
      failures[slot] = { context: "", error };
      return undefined;
    });
  };
  try {
    const suppress = new Map<IdType, Promise<RemovalList | undefined>>();
    for (const idType of ID_TYPES) {
      const source = spec.suppress[idType];
      const users = spec.audiences.filter((audience) => audience.members[idType] !== undefined).length;
      if (source !== undefined) suppress.set(idType, read(source, idType, `suppress.${idType}`, users));
    }
    const memberships = spec.audiences.flatMap((audience) =>
      ID_TYPES.flatMap((idType) => {
        const source = audience.members[idType];
        if (source === undefined) return [];
        const excluded = audience.exclude[idType];
        const path = `audiences.${audience.key}.members.${idType}`;
        return [
          {
            key: memberSetKey(audience.key, idType),
            idType,
            members: source.kind === "records" ? undefined : readMembers(source, idType, path, (excluded === undefined ? 0 : 1) + (spec.suppress[idType] === undefined ? 0 : 1)),
            exclude: excluded === undefined ? undefined : read(excluded, idType, `audiences.${audience.key}.exclude.${idType}`, 1),
          },
        ];
      }),
    );
    const memberSets = new Map<string, BuiltSet>();
    const leftOut = new Map<string, LeftOut>();
    const removals = new Map<string, Removals>();
    for (const m of memberships) {
      const [members, exclude, suppressed] = await Promise.all([m.members, m.exclude, suppress.get(m.idType)]);
      const lists: Removals = { ...(exclude === undefined ? {} : { exclude }), ...(suppressed === undefined ? {} : { suppress: suppressed }) };
      if (m.members === undefined) {
        removals.set(m.key, lists);
        continue;
      }
      if (members === undefined) {
        releaseRemovals(lists);
        continue;
      }
      const final = applyRemovals(members.set, lists);
      memberSets.set(m.key, final.set);
      leftOut.set(m.key, { suppressed: final.suppressed, skipped: members.skipped });
    }
    return { memberSets, leftOut, removals, failures: failures.filter((f): f is InputFailure => f !== undefined) };
  } finally {
    await reader.close();
  }
}

/** Where snapshots are stored, so that no source reads them; a store that cannot be resolved is reported when sets are stored. */
function snapshotStoreOf(config: (key: string) => string | undefined): { snapshotStore?: SnapshotLocation } {
  try {
    return { snapshotStore: resolveSnapshotLocation(config, process.cwd()).location };
  } catch {
    return {};
  }
}

/** A full config key (`dsp:warehouseUrl`), secrets decrypted, from the running stack. */
function secretConfig(key: string): string | undefined {
  const colon = key.indexOf(":");
  return new pulumi.Config(key.slice(0, colon)).get(key.slice(colon + 1));
}
