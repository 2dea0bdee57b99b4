/**
 * The program's side of customer data: one HashedRecordUpload per `records:` source (it reads its
 * CSV into the sets the plan needs) and one UserDeletions for the `deletions:` list.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LoadedSpec, ResolvedRecordsSource } from "../spec";
// Types only at load: a spec without customer data never loads the upload, CSV and PII code (see below).
import type { HashedRecordUpload } from "../customer-records/hashed-record-upload";
import type { RecordSets, RecordsSourceSettings } from "../customer-records/records-source";
import type { UserDeletions } from "../user-deletions/user-deletions";

/** The spec's history retention as resource arguments (none when the spec sets none: the stack setting applies). */
export function historyRetentionOf(spec: LoadedSpec): { historyRetentionDays?: number } {
  const days = spec.settings.historyRetentionDays;
  return days === undefined ? {} : { historyRetentionDays: days };
}

/** The upload settings of a spec source. */
export function settingsOf(source: ResolvedRecordsSource): RecordsSourceSettings {
  return {
    csv: source.csv,
    hashed: source.hashed,
    ...(source.idColumn !== undefined ? { idColumn: source.idColumn } : {}),
    ...(source.externalIdSecretConfig !== undefined ? { externalIdSecretConfig: source.externalIdSecretConfig } : {}),
    ...(source.minRows !== undefined ? { minRows: source.minRows } : {}),
    ...(source.maxRows !== undefined ? { maxRows: source.maxRows } : {}),
    ...(source.defaultCountry !== undefined ? { defaultCountry: source.defaultCountry } : {}),
    ...(source.nonAsciiLetters !== undefined ? { nonAsciiLetters: source.nonAsciiLetters } : {}),
    allowedRoots: source.allowedRoots,
  };
}

/** One HashedRecordUpload per `records:` key, named by the key; `read` holds sets read already (by key). */
export function declareRecords(spec: LoadedSpec, opts: pulumi.CustomResourceOptions = {}, read?: ReadonlyMap<string, RecordSets>): Map<string, HashedRecordUpload> {
  const retention = historyRetentionOf(spec);
  const uploads = new Map<string, HashedRecordUpload>();
  if (spec.records.length === 0) return uploads;
  const { HashedRecordUpload } = require("../customer-records/hashed-record-upload") as typeof import("../customer-records/hashed-record-upload");
  for (const source of spec.records) {
    const audiences = spec.audiences.filter((a) => {
      const members = a.members.EXTERNAL_USER_ID;
      return members?.kind === "records" && members.records === source.key;
    });
    const sets = read?.get(source.key);
    uploads.set(source.key, new HashedRecordUpload(source.key, { ...settingsOf(source), audiences: audiences.map((a) => a.key), ...retention }, opts, sets));
  }
  return uploads;
}

/** The `deletions:` list as one UserDeletions resource named "deletions"; none when the list is empty. */
export function declareDeletions(spec: LoadedSpec, opts: pulumi.CustomResourceOptions = {}): UserDeletions | undefined {
  if (spec.deletions.length === 0) return undefined;
  const { UserDeletions } = require("../user-deletions/user-deletions") as typeof import("../user-deletions/user-deletions");
  return new UserDeletions(
    "deletions",
    {
      deletions: spec.deletions.map((d) => ({
        type: d.type,
        value: d.value,
        ...(d.advertiserId !== undefined ? { advertiserId: d.advertiserId } : {}),
        ...(d.consentTime !== undefined ? { consentTime: d.consentTime } : {}),
      })),
    },
    opts,
  );
}
