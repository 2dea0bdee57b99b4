/**
 * DataProviderAudience's lifecycle, run in the dynamic provider process: inputs become
 * metadata calls. The API has no DELETE and no list, and name, advertiser and
 * externalAudienceId cannot be changed, which shapes diff (replace) and delete (a warning).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AudienceFee, AudienceMetadata, UpdateAudienceInput } from "../client";
import { DspCreateMayHaveSucceededError, DspHttpError, isInt64String } from "../client";
import type { Severity } from "../provider-process/engine-log";
import { urnOf } from "../util/urn-input";
import { outcomeOfFailure } from "../sync/send-outcome";
import {
  adoptHint,
  adoptSteps,
  asCreateRecord,
  createRecordName,
  isRecordableAudienceId,
  metadataInDoubt,
  metadataRecordName,
  readCreateRecord,
  readMetadataRecord,
  writeCreateRecord,
  writeMetadataRecord,
  newAttemptId,
  type CreateRecord,
  type MutableField,
} from "./audience-record";
import { retireRecord } from "../sync/record-retention";
import type { SyncHold } from "../sync/sync-hold";
import { holdRecord, recordAtRest, recordTime, sweepRetiredOnce } from "../provider-process/record-holds";
import { PartialStateError } from "../provider-process/partial-state-error";
import type { ProviderContext } from "../provider-process/provider-context";
import { readResult } from "../provider-process/read-result";
import { TTL_MAX_SECONDS } from "../api-vocabulary";
import { RefreshTurns } from "./refresh-turn";

/** Inputs as they reach the provider (plain values). */
export interface AudienceInputs {
  name: string;
  description: string;
  advertiserId: string;
  externalAudienceId: string;
  dataSourceCountry: string[];
  ttl?: number;
  audienceFees?: AudienceFee[];
  adoptId?: string;
  /** The spec's `settings.historyRetentionDays` (see config/history-retention.ts). @default dsp:historyRetentionDays, else 90 */
  historyRetentionDays?: number;
}

/** What state holds: the inputs as applied plus what Amazon reports. */
export interface AudienceOutputs extends AudienceInputs {
  audienceId: string;
  /** The metadata update attempt this state reflects (see audience-record.ts). */
  metadataAttempt?: string;
  /** Fields sent by a PUT whose answer did not prove the outcome; the next up sends them again. */
  metadataInDoubt?: string[];
  receivedRecords?: number;
  matchedRecords?: number;
  matchRate?: number;
}

/** Changing these means another audience: Amazon cannot update them. */
export const IMMUTABLE_FIELDS = ["name", "advertiserId", "externalAudienceId"] as const;
/** PUT can change these. */
export const MUTABLE_FIELDS = ["description", "ttl", "audienceFees", "dataSourceCountry"] as const;


/** Input problems, one per property; the spec loader reports the same with file and line. */
export function checkAudienceInputs(news: Partial<AudienceInputs>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string): void => {
    failures.push({ property, reason });
  };
  if (typeof news.name !== "string" || news.name.length < 10 || news.name.length > 128) fail("name", "must be 10 to 128 characters");
  if (news.description !== undefined && (typeof news.description !== "string" || news.description.length > 1000)) {
    fail("description", "must be at most 1000 characters");
  }
  if (typeof news.advertiserId !== "string" || !isInt64String(news.advertiserId)) fail("advertiserId", "must be an int64 as a decimal string");
  if (typeof news.externalAudienceId !== "string" || news.externalAudienceId.length === 0) fail("externalAudienceId", "is required");
  if (!Array.isArray(news.dataSourceCountry) || news.dataSourceCountry.length === 0) fail("dataSourceCountry", "needs at least one country code");
  if (news.ttl !== undefined && (!Number.isInteger(news.ttl) || news.ttl < 0 || news.ttl > TTL_MAX_SECONDS)) {
    fail("ttl", `must be whole seconds from 0 to ${TTL_MAX_SECONDS}`);
  }
  if (news.adoptId !== undefined && !isInt64String(news.adoptId)) fail("adoptId", "must be an int64 as a decimal string");
  return failures;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Pure: which fields force a new audience and which PUT can change.
 * @throws when the change needs a new audience that Amazon would refuse: the old audience cannot
 * be deleted, so it keeps its externalAudienceId, which must be unique per advertiser.
 */
export function diffAudience(olds: AudienceOutputs, news: AudienceInputs, inDoubt: readonly string[] = []): pulumi.dynamic.DiffResult {
  const replaces: string[] = IMMUTABLE_FIELDS.filter((f) => !same(olds[f], news[f]));
  if (replaces.length > 0 && olds.advertiserId === news.advertiserId && olds.externalAudienceId === news.externalAudienceId) {
    throw new Error(
      `Changing the ${replaces.join(" and ")} of audience ${olds.audienceId} needs a new audience (Amazon cannot update it), ` +
        `but the old one keeps externalAudienceId "${olds.externalAudienceId}" (the API has no DELETE) and Amazon requires it to be ` +
        "unique per advertiser: give the audience a new externalAudienceId in the same change.",
    );
  }
  if (news.adoptId !== undefined && news.adoptId !== olds.audienceId) replaces.push("adoptId");
  // A field whose last PUT may or may not have been applied is sent again, whatever it says now.
  const updates = MUTABLE_FIELDS.filter((f) => !same(olds[f], news[f]) || (inDoubt.includes(f) && news[f] !== undefined));
  // An in-place update keeps the id; saying so keeps it known during preview, so memberships
  // that depend on it are not planned as replacements.
  const stables = replaces.length === 0 ? ["audienceId", ...IMMUTABLE_FIELDS] : [];
  return { changes: replaces.length > 0 || updates.length > 0, replaces, stables };
}

/** The PUT body for the fields that differ between what Amazon has and what is wanted. */
export function audienceUpdate(current: Partial<AudienceInputs>, wanted: AudienceInputs, inDoubt: readonly string[] = []): UpdateAudienceInput {
  const update: UpdateAudienceInput = {};
  const differs = (f: MutableField): boolean => inDoubt.includes(f) || !same(current[f], wanted[f]);
  if (differs("description")) update.description = wanted.description;
  if (wanted.ttl !== undefined && differs("ttl")) update.ttl = wanted.ttl;
  if (wanted.audienceFees !== undefined && differs("audienceFees")) update.audienceFees = wanted.audienceFees;
  if (differs("dataSourceCountry")) update.dataSourceCountry = wanted.dataSourceCountry;
  return update;
}

function outputsFrom(inputs: AudienceInputs, remote: AudienceMetadata): AudienceOutputs {
  const outs: AudienceOutputs = { ...inputs, audienceId: remote.audienceId };
  const size = remote.audienceSize;
  if (size?.receivedRecordSize !== undefined) outs.receivedRecords = size.receivedRecordSize;
  if (size?.matchedRecordSize !== undefined) outs.matchedRecords = size.matchedRecordSize;
  if (size?.matchRate !== undefined) outs.matchRate = size.matchRate;
  return outs;
}

async function adopt(context: ProviderContext, inputs: AudienceInputs & { adoptId: string }): Promise<AudienceMetadata> {
  const client = context.client();
  const remote = await client.getAudience(inputs.adoptId);
  const clash = IMMUTABLE_FIELDS.filter((f) => remote[f] !== inputs[f]);
  if (clash.length > 0) {
    throw new Error(
      `Cannot adopt audience ${inputs.adoptId}: its ${clash.join(", ")} differ from the spec and Amazon cannot change them; ` +
        "make the spec match the existing audience.",
    );
  }
  const update = audienceUpdate(remote, inputs);
  return Object.keys(update).length > 0 ? client.updateAudience(inputs.adoptId, update) : remote;
}

/**
 * Pure: what the preview says an update re-sends, when some of its fields were sent by a PUT whose
 * answer did not prove the outcome (the engine's `[diff: …]` compares inputs, so it cannot show
 * a field re-sent with the value it already had). Undefined when nothing is re-sent.
 */
export function resendNote(name: string, audienceId: string, update: UpdateAudienceInput, inDoubt: readonly string[]): string | undefined {
  const fields = Object.keys(update);
  const again = fields.filter((f) => inDoubt.includes(f));
  if (again.length === 0) return undefined;
  return (
    `audience "${name}" (${audienceId}): PUT ${fields.join(", ")}; ${again.join(", ")} re-sent, ` +
    `as ${again.length === 1 ? "its" : "their"} last PUT may or may not have been applied (a failed or interrupted up)`
  );
}

/**
 * Pure: what the preview says a create will do when it will not simply POST a new audience: adopt
 * the `adopt:` id, adopt the audience an interrupted up created, or (a create whose answer was
 * lost) most likely meet "already exists". Undefined for a plain create.
 */
export function createNote(inputs: AudienceInputs, earlier: CreateRecord | undefined): { severity: Severity; message: string } | undefined {
  const who = `audience "${inputs.name}"`;
  if (inputs.adoptId !== undefined) {
    return {
      severity: "info",
      message: `${who}: adopts audience ${inputs.adoptId} instead of creating one: reads it, then updates the fields that differ from the spec`,
    };
  }
  if (earlier?.audienceId !== undefined) {
    return {
      severity: "info",
      message:
        `${who}: adopts audience ${earlier.audienceId}, which an earlier \`pulumi up\` created for externalAudienceId "${inputs.externalAudienceId}" ` +
        "but did not record: reads it, then updates the fields that differ from the spec (no new audience is created)",
    };
  }
  if (earlier?.stage === "sending") {
    return {
      severity: "warning",
      message:
        `${who}: an earlier \`pulumi up\` sent its create and got no answer, so Amazon may already have it; ` +
        `if so, this up's create fails with "already exists". ${adoptSteps(inputs)}, then preview again. If it does not exist, this up creates it.`,
    };
  }
  return undefined;
}

/**
 * The preview's note on a create, from the create record. The note is advice: a store that cannot be
 * read here (its optional package missing, say) becomes a warning with its message, because an error
 * thrown from check prints a stack trace, and the create itself reads the record again and fails cleanly.
 */
async function createNoteOf(context: ProviderContext, inputs: AudienceInputs): Promise<{ severity: Severity; message: string } | undefined> {
  try {
    return createNote(inputs, await readCreateRecord(context.store(), inputs.advertiserId, inputs.externalAudienceId));
  } catch (error) {
    return { severity: "warning", message: `audience "${inputs.name}": cannot read its create record: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** DataProviderAudience's lifecycle with `context`'s client, store and log. */
export function makeAudienceProvider(context: ProviderContext): pulumi.dynamic.ResourceProvider<AudienceInputs, AudienceOutputs> {
  const refreshes = new RefreshTurns(context);
  return {
    async check(olds, news) {
      // As the program declared them: the checks below make sure of the types.
      const failures = checkAudienceInputs(news);
      if (failures.length > 0) return { inputs: news, failures };
      const inputs: AudienceInputs = { ...news, description: news.description ?? "" };
      // No old inputs: the audience is to be created. Say when that is not a plain POST.
      if (Object.keys(olds).length === 0) {
        const note = await createNoteOf(context, inputs);
        if (note !== undefined) await context.log.log(note.severity, note.message, urnOf(news));
      }
      return { inputs };
    },

    async diff(id, held, wanted) {
      const found = isRecordableAudienceId(id) ? await recordAtRest(context, metadataRecordName(id), `audience "${held.name}" (${id})`, urnOf(wanted)) : undefined;
      const inDoubt = metadataInDoubt(found, held);
      const diff = diffAudience(held, wanted, inDoubt);
      const note = diff.replaces?.length ? undefined : resendNote(wanted.name, id, audienceUpdate(held, wanted, inDoubt), inDoubt);
      if (note !== undefined) await context.log.log("info", note, urnOf(wanted));
      return diff;
    },

    async create(inputs) {
      const hold = await holdRecord(context, createRecordName(inputs.advertiserId, inputs.externalAudienceId), `audience "${inputs.name}"`, urnOf(inputs));
      try {
        return await createHeld(context, inputs, hold, urnOf(inputs));
      } finally {
        hold.end();
      }
    },

    async read(id, held) {
      if (held === undefined) throw new Error(`audience ${id}: cannot refresh without its state`);
      // dsp:refreshSlices: an audience outside this run's slice keeps its state (no inputs: the old ones stay).
      const turn = await refreshes.turn(id, held);
      if (!turn.read) return { id, props: held };
      const remote = await context.client().getAudience(id);
      turn.finished();
      const drifted = IMMUTABLE_FIELDS.filter((f) => held[f] !== undefined && remote[f] !== held[f]);
      if (drifted.length > 0) {
        await context.log.log(
          "warning",
          `audience ${id}: ${drifted.join(", ")} changed outside Pulumi; these cannot be updated through the API, so state keeps the spec's values`,
        );
      }
      // Mutable fields take Amazon's values, so drift shows up as a diff on the next preview.
      const observed: AudienceInputs = {
        ...held,
        description: remote.description,
        dataSourceCountry: remote.dataSourceCountry,
        // Without a ttl in the spec Amazon applies its default; that is not drift.
        ...(held.ttl === undefined || remote.ttl === undefined ? {} : { ttl: remote.ttl }),
        ...(held.audienceFees === undefined && remote.audienceFees.length === 0 ? {} : { audienceFees: remote.audienceFees }),
      };
      // Returning the observed values as inputs too makes the next preview show the drift itself
      // (`description: "changed in the console" => "from the spec"`). What was in doubt is known now.
      const refreshed: AudienceOutputs = { ...outputsFrom(observed, { ...remote, audienceId: id }), metadataInDoubt: [] };
      const attempt = (await readMetadataRecord(context.store(), id))?.attempt ?? held.metadataAttempt;
      if (attempt !== undefined) refreshed.metadataAttempt = attempt;
      return readResult(id, refreshed, observed);
    },

    async update(id, held, wanted) {
      const hold = await holdRecord(context, metadataRecordName(id), `audience "${wanted.name}" (${id})`, urnOf(wanted));
      try {
        return await updateHeld(context, id, held, wanted, hold);
      } finally {
        hold.end();
      }
    },

    async delete(id, held) {
      // Kept for the history retention, then swept (see record-retention.ts).
      const store = context.store();
      await retireRecord(store, createRecordName(held.advertiserId, held.externalAudienceId), recordTime(context));
      if (isRecordableAudienceId(id)) await retireRecord(store, metadataRecordName(id), recordTime(context));
      // No DELETE in the Data Provider API: the audience stays in DSP, empty once its memberships are gone.
      await context.log.log(
        "warning",
        `audience "${held.name}" (${id}) is left in Amazon DSP: the Data Provider API has no DELETE. ` +
          "Its members managed here were removed; archive it in the DSP console if it is no longer needed.",
        urnOf(held),
      );
      await sweepRetiredOnce(context, held.historyRetentionDays);
    },
  };
}

/**
 * Creates the audience, holding its create record: adopts the `adopt:` id, or what an earlier,
 * interrupted up created.
 */
async function createHeld(context: ProviderContext, inputs: AudienceInputs, hold: SyncHold, urn: string | undefined): Promise<pulumi.dynamic.CreateResult<AudienceOutputs>> {
  const earlier = asCreateRecord(hold.found, inputs.advertiserId, inputs.externalAudienceId);
  const identity = { advertiserId: inputs.advertiserId, externalAudienceId: inputs.externalAudienceId, name: inputs.name };
  if (inputs.adoptId !== undefined) {
    const remote = await adopt(context, { ...inputs, adoptId: inputs.adoptId });
    // A create of ours whose answer was lost made this audience (externalAudienceId is unique per advertiser): now its id is known.
    if (earlier !== undefined && earlier.audienceId !== remote.audienceId) {
      await writeCreateRecord(hold, { ...identity, attempt: earlier.attempt, stage: "answered", audienceId: remote.audienceId });
    }
    await hold.release();
    return { id: remote.audienceId, outs: outputsFrom(inputs, remote) };
  }
  // An earlier up created this audience and was killed before the state recorded it: the record knows its id.
  if (earlier?.audienceId !== undefined) {
    await context.log.log(
      "info",
      `audience "${inputs.name}": adopting ${earlier.audienceId}, which this tool created earlier for externalAudienceId "${inputs.externalAudienceId}" ` +
        "(an interrupted `pulumi up`, or the same audience under another spec key)",
      urn,
    );
    const remote = await adopt(context, { ...inputs, adoptId: earlier.audienceId });
    // Managed again: no longer a deleted audience's record.
    await hold.release({ retiredAt: undefined });
    return { id: remote.audienceId, outs: outputsFrom(inputs, remote) };
  }
  const attempt = newAttemptId();
  await writeCreateRecord(hold, { ...identity, attempt, stage: "sending" });
  let remote: AudienceMetadata;
  try {
    remote = await context.client().createAudience({
      name: inputs.name,
      description: inputs.description,
      advertiserId: inputs.advertiserId,
      externalAudienceId: inputs.externalAudienceId,
      dataSourceCountry: inputs.dataSourceCountry,
      ...(inputs.ttl === undefined ? {} : { ttl: inputs.ttl }),
      ...(inputs.audienceFees === undefined ? {} : { audienceFees: inputs.audienceFees }),
    });
  } catch (e) {
    // Refused, so this request created nothing; unless an earlier one may have, nothing is pending.
    // Otherwise the record stays "sending": the next create looks for what this one may have made.
    if (outcomeOfFailure(e) === "rejected" && earlier?.stage !== "sending") await writeCreateRecord(hold, { ...identity, attempt, stage: "answered" });
    await hold.release();
    if (e instanceof DspHttpError && e.status === 400 && e.fieldName === "externalAudienceId") {
      throw new Error(`${e.message}\n${adoptHint(inputs, "exists")}`, { cause: e });
    }
    // The hint says what the client's message would (why it was not retried, how to adopt), for this spec: name the answer only.
    if (e instanceof DspCreateMayHaveSucceededError) {
      throw new Error(`${e.cause instanceof Error ? e.cause.message : e.message}\n${adoptHint(inputs, "may exist")}`, { cause: e });
    }
    throw e;
  }
  await writeCreateRecord(hold, { ...identity, attempt, stage: "answered", audienceId: remote.audienceId });
  await hold.release();
  return { id: remote.audienceId, outs: outputsFrom(inputs, remote) };
}

/** Sends the PUT, holding the metadata record: before it the fields in flight, after it what is still in doubt. */
async function updateHeld(context: ProviderContext, id: string, held: AudienceOutputs, wanted: AudienceInputs, hold: SyncHold): Promise<pulumi.dynamic.UpdateResult<AudienceOutputs>> {
  const inDoubt = metadataInDoubt(hold.found, held);
  const update = audienceUpdate(held, wanted, inDoubt);
  const fields = Object.keys(update);
  const attempt = newAttemptId();
  // Before the PUT: if its answer is lost, the next plan sends these fields again.
  await writeMetadataRecord(hold, { attempt, stage: "sending", fields: [...new Set([...inDoubt, ...fields])] });
  let remote: AudienceMetadata;
  try {
    remote = await context.client().updateAudience(id, update);
  } catch (e) {
    if (outcomeOfFailure(e) === "rejected") {
      await writeMetadataRecord(hold, { attempt, stage: "answered", fields: inDoubt });
      await hold.release();
      throw e;
    }
    const still = [...new Set([...inDoubt, ...fields])];
    await writeMetadataRecord(hold, { attempt, stage: "answered", fields: still });
    await hold.release();
    throw new PartialStateError(
      `audience "${wanted.name}" (${id}): updating ${fields.join(", ")} failed and may or may not have been applied: ${(e as Error).message.replace(/\.+$/, "")}. ` +
        "The next `pulumi up` sends these fields again with the values the spec then has.",
      id,
      // The new inputs carry the serialized provider (`__provider`), which every recorded state needs.
      { ...held, __provider: (wanted as { __provider?: unknown }).__provider, metadataAttempt: attempt, metadataInDoubt: still },
    );
  }
  await writeMetadataRecord(hold, { attempt, stage: "answered", fields: [] });
  await hold.release();
  return { outs: { ...outputsFrom(wanted, remote), audienceId: id, metadataAttempt: attempt, metadataInDoubt: [] } };
}
