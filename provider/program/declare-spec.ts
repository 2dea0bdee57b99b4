import * as pulumi from "@pulumi/pulumi";
import type { BuiltSet, IdSet } from "../plan";
import type { RecordSets } from "../customer-records/records-source";
import { ID_TYPES, type LoadedSpec, type MemberSource } from "../spec";
import { memberSetKey } from "./member-sources";
import { AudienceMembership } from "../membership/audience-membership";
import { DataProviderAudience } from "../audience/data-provider-audience";
import type { HashedRecordUpload } from "../customer-records/hashed-record-upload";
import type { DesiredMembers } from "../resources/desired-set";
import type { LeftOut } from "./member-sources";
import { declareDeletions, declareRecords, historyRetentionOf } from "./records";
import { applyRemovals, releaseRemovals, type Removals } from "./removal-lists";
import { engineParallelism, registrationWindow, windowSize } from "./registration-window";
import { reportCatalogProgress } from "./catalog-progress";

export { memberSetKey } from "./member-sources";

/** Options of {@link declareSpec}. */
export interface DeclareSpecOptions {
  /** Re-send every membership's whole desired set once per distinct value (see AudienceMembership). */
  reassertToken?: string;
  /**
   * ID-file members read already, by `memberSetKey(audience, idType)`: a source found here is
   * not read again. The spec program reads every input first, to report all input errors at once.
   */
  memberSets?: ReadonlyMap<string, BuiltSet>;
  /** Records read already, by `records:` key; see `memberSets`. */
  recordSets?: ReadonlyMap<string, RecordSets>;
  /** What suppression and `onInvalid: skip` left out, by `memberSetKey`; shown in the preview line. */
  leftOut?: ReadonlyMap<string, LeftOut>;
  /** Exclusions and suppression to apply to records-upload members, by `memberSetKey`. */
  removals?: ReadonlyMap<string, Removals>;
}

/** Stack outputs per audience key. */
export interface DeclaredAudience {
  audienceId: pulumi.Output<string>;
  members: Record<string, pulumi.Output<number>>;
}

/**
 * A source's members. Records are read in the program (by their upload resource), so their
 * members arrive later, as a promise.
 */
function membersOf(source: MemberSource, uploads: ReadonlyMap<string, HashedRecordUpload>, read: BuiltSet | undefined): DesiredMembers | Promise<DesiredMembers> {
  switch (source.kind) {
    case "inline":
      return read ?? source.ids;
    case "files":
      return read ?? { files: source.files };
    case "records": {
      const upload = uploads.get(source.records);
      if (upload === undefined) throw new Error(`no records entry named "${source.records}"`);
      return upload.externalIds();
    }
    default:
      // CSV, Parquet and SQL sources are read by the program before any resource is declared.
      if (read === undefined) throw new Error(`the ${source.kind} source was not read before declaring its membership`);
      return read;
  }
}

/**
 * Turns a loaded spec into resources: one DataProviderAudience per audience key, one
 * AudienceMembership per (audience, ID type) that has members, one HashedRecordUpload per
 * `records:` key and one UserDeletions for `deletions:`. Resource names are the spec keys, so
 * renaming a key is a replace and reordering the file changes nothing.
 */
export function declareSpec(spec: LoadedSpec, options: DeclareSpecOptions = {}): Record<string, DeclaredAudience> {
  const out: Record<string, DeclaredAudience> = {};
  const uploads = declareRecords(spec, {}, options.recordSets);
  // After the uploads, so that a deletion is the last word on a record listed in both.
  declareDeletions(spec, { dependsOn: [...uploads.values()] });
  const retention = historyRetentionOf(spec);
  // During `up`, audiences a few at a time, so that memberships get engine slots as each audience exists.
  const up = !pulumi.runtime.isDryRun();
  const window = registrationWindow(up ? windowSize(engineParallelism()) : undefined);
  if (up) reportCatalogProgress(window, spec.audiences.length);
  for (const a of spec.audiences) {
    const declared = window.admit(
      () =>
        new DataProviderAudience(a.key, {
          name: a.name,
          description: a.description,
          advertiserId: a.advertiserId,
          externalAudienceId: a.externalAudienceId,
          dataSourceCountry: a.dataSourceCountry,
          ...(a.ttl === undefined ? {} : { ttl: a.ttl }),
          ...(a.audienceFees === undefined ? {} : { audienceFees: a.audienceFees }),
          ...(a.adopt === undefined ? {} : { adoptId: a.adopt }),
          ...retention,
        }),
    );
    const members: Record<string, pulumi.Output<number>> = {};
    for (const idType of ID_TYPES) {
      const source = a.members[idType];
      if (source === undefined) continue;
      const upload = source.kind === "records" ? uploads.get(source.records) : undefined;
      const key = memberSetKey(a.key, idType);
      const removal = options.removals?.get(key);
      let leftOut = options.leftOut?.get(key);
      const declare = (audience: DataProviderAudience, ids: DesiredMembers): pulumi.Output<number> =>
        new AudienceMembership(
          `${a.key}-${idType.toLowerCase().replace(/_/g, "-")}`,
          {
            // The resource id, not the audienceId output: it stays known while an update is previewed.
            audienceId: audience.id,
            idType,
            members: ids,
            label: a.key,
            ...(leftOut === undefined ? {} : { leftOut }),
            ...(a.consent === undefined ? {} : { consent: a.consent }),
            ...(options.reassertToken === undefined ? {} : { reassertToken: options.reassertToken }),
            ...retention,
          },
          // Records must be uploaded before they are associated.
          { parent: audience, ...(upload === undefined ? {} : { dependsOn: upload }) },
        ).desiredCount;
      let desired = membersOf(source, uploads, options.memberSets?.get(key));
      if (removal !== undefined && desired instanceof Promise) {
        // Records members arrive later: their exclusions and suppression apply then.
        desired = desired.then(
          (set) => {
            const final = applyRemovals(set as IdSet, removal);
            leftOut = { suppressed: final.suppressed, skipped: 0 };
            return final.set;
          },
          (error: unknown) => {
            releaseRemovals(removal);
            throw error;
          },
        );
      }
      // Desired counts are inputs, known during preview; appliedCount is in each membership's state.
      // Record members come later, and so does an audience the window holds back: the membership
      // is declared once both are there, and the stack outputs wait for it.
      const ready = desired;
      const declareFor = (audience: DataProviderAudience): pulumi.Output<number> =>
        ready instanceof Promise ? pulumi.output(ready.then((ids) => declare(audience, ids))) : declare(audience, ready);
      members[idType] = declared instanceof Promise ? pulumi.output(declared.then(declareFor)) : declareFor(declared);
    }
    out[a.key] = { audienceId: declared instanceof Promise ? pulumi.output(declared.then((audience) => audience.audienceId)) : declared.audienceId, members };
  }
  return out;
}
