/**
 * Records that let an audience recover from an interrupted `up`, kept beside the snapshots
 * (`records/*.json` in the snapshot store):
 *
 * - `audience-create-<hash of advertiser and externalAudienceId>`: written before the create
 *   request and again with the new audience id once Amazon answers. If the process is killed
 *   before the state records the audience, the next create adopts that id instead of failing on
 *   "externalAudienceId already exists".
 * - `audience-metadata-<audienceId>`: the fields of a PUT in flight, written before it is sent.
 *   A PUT whose answer is lost (5xx, dropped connection, `kill -9`) may have been applied, so the
 *   next plan sends those fields again with whatever value the spec then has.
 */
import { createHash, randomUUID } from "node:crypto";
import type { SnapshotStore } from "../snapshots";
import type { SyncHold } from "../sync/sync-hold";

export type MutableField = "description" | "ttl" | "audienceFees" | "dataSourceCountry";

export interface CreateRecord {
  v: 1;
  advertiserId: string;
  externalAudienceId: string;
  name: string;
  attempt: string;
  at: string;
  /** sending: a create may have reached Amazon and its answer is not known; answered: Amazon's answer is known. */
  stage: "sending" | "answered";
  /** answered: the id Amazon gave the audience (or that was adopted for it); none when Amazon refused the create. */
  audienceId?: string;
}

export interface MetadataRecord {
  v: 1;
  attempt: string;
  at: string;
  stage: "sending" | "answered";
  /** sending: the fields of the PUT in flight (and earlier in-doubt ones); answered: those still in doubt. */
  fields: string[];
}

export function newAttemptId(): string {
  return randomUUID();
}

/** Name of the create record of an audience (see sync-hold.ts: its create holds it). */
export function createRecordName(advertiserId: string, externalAudienceId: string): string {
  const hash = createHash("sha256").update(`${advertiserId}\0${externalAudienceId}`).digest("hex").slice(0, 32);
  return `audience-create-${hash}`;
}

/** The create record of this advertiser and externalAudienceId, from what a store read gave. */
export function asCreateRecord(value: unknown, advertiserId: string, externalAudienceId: string): CreateRecord | undefined {
  const record = value as CreateRecord | undefined;
  // The hash could collide only in theory; the fields decide.
  return record?.v === 1 && record.advertiserId === advertiserId && record.externalAudienceId === externalAudienceId ? record : undefined;
}

export async function readCreateRecord(store: SnapshotStore, advertiserId: string, externalAudienceId: string): Promise<CreateRecord | undefined> {
  return asCreateRecord(await store.readRecord(createRecordName(advertiserId, externalAudienceId)), advertiserId, externalAudienceId);
}

/** Writes the create record through the create's hold on it. */
export async function writeCreateRecord(hold: SyncHold, record: Omit<CreateRecord, "v" | "at">): Promise<void> {
  await hold.write({ v: 1, at: hold.now().toISOString(), ...record });
}

/** Name of the metadata record of an audience (see sync-hold.ts: its update holds it). */
export function metadataRecordName(audienceId: string): string {
  return `audience-metadata-${audienceId}`;
}

export function asMetadataRecord(value: unknown): MetadataRecord | undefined {
  return (value as MetadataRecord | undefined)?.v === 1 ? (value as MetadataRecord) : undefined;
}

export async function readMetadataRecord(store: SnapshotStore, audienceId: string): Promise<MetadataRecord | undefined> {
  return asMetadataRecord(await store.readRecord(metadataRecordName(audienceId)));
}

/** Writes the metadata record through the update's hold on it. */
export async function writeMetadataRecord(hold: SyncHold, record: Omit<MetadataRecord, "v" | "at">): Promise<void> {
  await hold.write({ v: 1, at: hold.now().toISOString(), ...record });
}

/** True for an audience id a record can be named after (during a preview it may not be known yet). */
export function isRecordableAudienceId(audienceId: string): boolean {
  return /^\d+$/.test(audienceId);
}

/**
 * The fields whose last PUT may or may not have been applied: from the state, unless `found` (the
 * metadata record as read) is of an update attempt the state does not reflect (the process was killed).
 */
export function metadataInDoubt(found: unknown, held: { metadataAttempt?: string; metadataInDoubt?: string[] }): string[] {
  const record = asMetadataRecord(found);
  if (record === undefined || record.attempt === held.metadataAttempt) return held.metadataInDoubt ?? [];
  return record.fields;
}

/** How to take over an existing audience by its id (the Data Provider API cannot list audiences). */
export function adoptSteps(inputs: { name: string; externalAudienceId: string }): string {
  return (
    `To manage it: find the audience named "${inputs.name}" (externalAudienceId "${inputs.externalAudienceId}") in the Amazon DSP console, ` +
    `copy its audience id, add \`adopt: "<that id>"\` to this audience in the spec (library: \`adoptId\`)`
  );
}

/** What to do when Amazon says the audience exists, or may: find its id and adopt it. */
export function adoptHint(inputs: { name: string; advertiserId: string; externalAudienceId: string }, state: "exists" | "may exist"): string {
  const first =
    state === "exists"
      ? `Amazon already has an audience with externalAudienceId "${inputs.externalAudienceId}" for advertiser ${inputs.advertiserId}: most likely an earlier \`pulumi up\` created it and was interrupted before it could record it (the Data Provider API cannot list audiences, so its id is not known here).`
      : `The audience "${inputs.name}" (externalAudienceId "${inputs.externalAudienceId}", advertiser ${inputs.advertiserId}) may have been created: ` +
        "the request may have reached Amazon, and a create is not retried (it is not idempotent, and the API cannot list audiences to check).";
  return (
    `${first}\n${adoptSteps(inputs)}, and run \`pulumi up\` again. ` +
    (state === "exists"
      ? "If it is another audience, give this one a different externalAudienceId."
      : "If no such audience exists, just run `pulumi up` again.")
  );
}
