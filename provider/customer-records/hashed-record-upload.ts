import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { IdSet } from "../plan";
import { ShimResource } from "../resources/dynamic-shim";
import { prepareDesiredSet } from "../resources/desired-set";
import { URN_INPUT, ownUrn } from "../resources/resource-urn";
import { programConfig } from "../resources/program-config";
import { externalIdKeyFor, fullConfigKey, readRecordSets, type RecordSets, type RecordsSourceSettings } from "./records-source";

/** Inputs of {@link HashedRecordUpload}. */
export interface HashedRecordUploadArgs extends RecordsSourceSettings {
  /** Name used in plan lines and errors ("records <label>: …"). @default the resource name */
  label?: string;
  /**
   * Labels of the audiences that take their EXTERNAL_USER_ID members from these records; they
   * are warned about when associated on the day of the first upload. @default none
   */
  audiences?: string[];
  /**
   * How long sync records keep their history, in days (the spec's `settings.historyRetentionDays`).
   * @default dsp:historyRetentionDays, else 90
   */
  historyRetentionDays?: number;
}

/**
 * Hashed customer records (POST /dp/records/hashed) from a CSV of people. The program reads and
 * hashes the CSV; the diff is the set of `externalId:rowDigest` strings against what Amazon last
 * accepted, so `up` re-uploads only new or changed records. State holds a digest and a count,
 * never PII or hashes; the set is a content-addressed snapshot like a membership's.
 *
 * The externalId key is read from stack config (`externalIdSecretConfig`) when the program runs
 * and again inside the provider when it uploads; it is never an input or an output.
 */
export class HashedRecordUpload extends ShimResource {
  declare readonly desiredCount: pulumi.Output<number>;
  /** Digest of the record set Amazon has accepted (equals desiredDigest after a successful up). */
  declare readonly appliedDigest: pulumi.Output<string>;
  declare readonly appliedCount: pulumi.Output<number>;
  /** ISO time of the first accepted upload; Amazon needs time after it to map the records. */
  declare readonly firstUploadedAt: pulumi.Output<string | undefined>;
  declare readonly lastUpload: pulumi.Output<{ records: number; requests: number; firstRequestId?: string }>;

  private readonly sets: Promise<RecordSets>;

  /**
   * @param read the CSV's sets when the caller has read them already (see `readRecordsInProgram`);
   *   by default the constructor reads the CSV
   */
  constructor(name: string, args: HashedRecordUploadArgs, opts?: pulumi.CustomResourceOptions, read?: RecordSets) {
    const label = args.label ?? name;
    const { label: _label, audiences = [], historyRetentionDays, ...source } = args;
    const settings = uploadSettings(source);
    const sets = read === undefined ? readRecordsInProgram(settings, label) : Promise.resolve(read);
    const desired = sets.then((s) => prepareDesiredSet(s.keys, "EXTERNAL_USER_ID"));
    super(
      "hashedRecordsProvider",
      name,
      {
        ...settings,
        // The provider process runs in the program folder; a relative path works from any clone.
        csv: path.relative(process.cwd(), path.resolve(settings.csv)),
        ...(settings.allowedRoots === undefined ? {} : { allowedRoots: settings.allowedRoots.map((root) => path.relative(process.cwd(), path.resolve(root)) || ".") }),
        label,
        audiences,
        ...(historyRetentionDays === undefined ? {} : { historyRetentionDays }),
        desiredDigest: desired.then((d) => d.digest),
        desiredCount: desired.then((d) => d.count),
        appliedDigest: undefined,
        appliedCount: undefined,
        firstUploadedAt: undefined,
        lastUpload: undefined,
        [URN_INPUT]: ownUrn(name, "dsp-audiences", "HashedRecordUpload", opts),
      },
      opts,
      "dsp-audiences",
      "HashedRecordUpload",
    );
    this.sets = sets;
  }

  /** The CSV's externalIds, as an AudienceMembership's `members` (program side). */
  externalIds(): Promise<IdSet> {
    return this.sets.then((s) => s.externalIds);
  }
}

/** The settings as the upload uses them: a config key without a namespace gets the project's. */
export function uploadSettings(source: RecordsSourceSettings): RecordsSourceSettings {
  return {
    ...source,
    ...(source.externalIdSecretConfig !== undefined ? { externalIdSecretConfig: fullConfigKey(source.externalIdSecretConfig, pulumi.getProject()) } : {}),
  };
}

/**
 * Reads a records source in the Pulumi program: the externalId key from stack config, then the
 * CSV into the sets the plan needs. Errors start with `records <label>:`.
 */
export async function readRecordsInProgram(settings: RecordsSourceSettings, label: string): Promise<RecordSets> {
  try {
    const key = externalIdKeyFor(settings, programConfig);
    if (key !== undefined && settings.externalIdSecretConfig !== undefined && !isSecretConfig(settings.externalIdSecretConfig)) {
      pulumi.log.warn(`records ${label}: ${settings.externalIdSecretConfig} is stored in plain text; set it again with \`pulumi config set --secret\``);
    }
    return await readRecordSets(settings, label, key === undefined ? {} : { externalIdKey: key });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // The cause keeps the error's class (a PiiInputError lists its rows) for whoever reports it.
    throw new Error(message.startsWith(`records ${label}:`) ? message : `records ${label}: ${message}`, { cause: e });
  }
}

/** `isConfigSecret` is in the SDK's runtime but not in its typings; without it, assume secret. */
function isSecretConfig(fullKey: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret?.(fullKey) ?? true;
}
