/**
 * `dsp-audiences delete-users`: one-off user-data deletions (PATCH /v2/dp/users), outside any
 * stack. Uses the stack's settings from the environment (DSP_REGION or DSP_ENDPOINT,
 * DSP_CLIENT_ID, DSP_CLIENT_SECRET, DSP_REFRESH_TOKEN); `--endpoint` points it at the simulator.
 * Prints one line per accepted request with its requestId, never an ID.
 */
import * as fs from "node:fs";
import type { DspClient } from "../client";
import { canonicalId, ID_SYNTAX_CHECKS, ID_TYPES, type IdType } from "../spec";
import { parseRfc3339 } from "../spec/consent-time";
import { sendDeletions, type DeletionEntry } from "../user-deletions/deletions";
import { processIo, type CommandIo } from "./command-io";
import { ID_TYPE_ALTERNATION } from "../api-vocabulary";
import { parseCommandLine, UsageError, usageFailure, type CommandSpec } from "../util/command-line";
import { connectClient, connectionConfig, CREDENTIALS_ENVIRONMENT, ENDPOINT_OPTIONS } from "./dsp-connection";

/** What the command line asks for. */
export interface DeleteUsersRequest {
  type: IdType;
  /** From `--value` (repeatable). */
  values: string[];
  /** One ID per line; blank lines and `#` comments are skipped. */
  file?: string;
  advertiserId?: string;
  /** Epoch milliseconds. */
  consentTime?: string;
  endpoint?: string;
  region?: string;
}

/** The command's options; its parser and its help. */
export const DELETE_USERS_COMMAND = {
  name: "delete-users",
  summary: "ask Amazon to delete users' data now (PATCH /v2/dp/users); prints the requestIds",
  description:
    "One-off deletions outside any stack (a spec's `deletions:` records them instead). Batches of at most 1,000\n" +
    "users at 1 request/s; prints one line per accepted request with its requestId, never an ID.",
  arguments: [],
  options: {
    type: { type: "string", value: ID_TYPE_ALTERNATION, description: "the ID type of every value" },
    value: { type: "string", value: "<id>", multiple: true, description: "an ID to delete" },
    file: { type: "string", value: "<ids.txt>", description: "IDs to delete, one per line (blank lines and # comments skipped)" },
    "advertiser-id": { type: "string", value: "<n>", description: "the advertiser whose data goes", default: "not sent" },
    "consent-time": { type: "string", value: "<RFC 3339 | epoch ms>", description: "when the user withdrew consent", default: "not sent" },
    ...ENDPOINT_OPTIONS,
  },
  environment: CREDENTIALS_ENVIRONMENT,
  exitCodes: { 0: "every deletion was accepted", 1: "a request failed (the lines above list what was accepted)", 2: "usage error, or a bad ID, file or setting" },
} as const satisfies CommandSpec;

/** Parses the arguments. Pure. @throws UsageError with a one-line reason */
export function parseDeleteUsersArgs(args: string[]): DeleteUsersRequest {
  const { values } = parseCommandLine(DELETE_USERS_COMMAND, args);
  const type = values.type as IdType | undefined;
  if (type === undefined || !ID_TYPES.includes(type)) throw new UsageError(`--type must be one of ${ID_TYPES.join(", ")}`);
  const given = values.value ?? [];
  if (given.length === 0 && values.file === undefined) throw new UsageError("give the IDs with --value (repeatable) or --file");
  const advertiserId = values["advertiser-id"];
  if (advertiserId !== undefined && !/^[1-9]\d{0,18}$/.test(advertiserId)) throw new UsageError("--advertiser-id must be a positive integer");
  const consent = values["consent-time"];
  let consentTime: string | undefined;
  if (consent !== undefined) {
    const millis = /^\d+$/.test(consent) ? Number(consent) : parseRfc3339(consent);
    if (millis === undefined || !Number.isSafeInteger(millis)) throw new UsageError("--consent-time must be an RFC 3339 time with a zone (2026-03-01T12:00:00Z) or epoch milliseconds");
    consentTime = String(millis);
  }
  given.forEach((value, i) => {
    const problem = ID_SYNTAX_CHECKS[type](value);
    if (problem !== undefined) throw new UsageError(`--value #${i + 1}: ${problem}`);
  });
  return {
    type,
    values: given.map((value) => canonicalId(type, value)),
    ...(values.file !== undefined ? { file: values.file } : {}),
    ...(advertiserId !== undefined ? { advertiserId } : {}),
    ...(consentTime !== undefined ? { consentTime } : {}),
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
}

/** IDs of a file, validated; problems name the line, not the ID. Pure. */
export function idsFromText(text: string, type: IdType, fileName: string): string[] {
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const problem = ID_SYNTAX_CHECKS[type](line);
    if (problem !== undefined) throw new Error(`${fileName} line ${i + 1}: ${problem}`);
    ids.push(canonicalId(type, line));
  });
  return ids;
}

/** The deletions to send, one per distinct ID. */
export function deletionsOf(request: DeleteUsersRequest, fileIds: readonly string[]): DeletionEntry[] {
  return [...new Set([...request.values, ...fileIds])].map((value) => ({
    type: request.type,
    value,
    ...(request.advertiserId !== undefined ? { advertiserId: request.advertiserId } : {}),
    ...(request.consentTime !== undefined ? { consentTime: request.consentTime } : {}),
  }));
}

/** Runs the command; returns the exit code (0 all sent, 1 a request failed, 2 usage or input). */
export async function deleteUsersCommand(args: string[], io: CommandIo = processIo): Promise<number> {
  let deletions: DeletionEntry[];
  let client: DspClient;
  try {
    const request = parseDeleteUsersArgs(args);
    const fileIds = request.file === undefined ? [] : idsFromText(fs.readFileSync(request.file, "utf8"), request.type, request.file);
    deletions = deletionsOf(request, fileIds);
    client = connectClient(connectionConfig(request), io.env); // fails before anything is sent
  } catch (e) {
    if (e instanceof UsageError) io.err(usageFailure(DELETE_USERS_COMMAND, e));
    else io.err(`dsp-audiences delete-users: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  let sent = 0;
  let requests = 0;
  let error: Error | undefined;
  try {
    ({ error } = await sendDeletions(client, deletions, (body) => {
      if (body.outcome !== "accepted") return;
      sent += body.keys.length;
      requests++;
      io.out(`requestId ${body.answer?.requestId ?? "(none)"}: ${body.keys.length.toLocaleString("en-US")} users`);
    }));
  } finally {
    client.close();
  }
  if (error !== undefined) {
    const accepted = `${sent.toLocaleString("en-US")} of ${deletions.length.toLocaleString("en-US")} deletions were accepted`;
    io.err(`✗ ${error.message}\n  ${sent > 0 ? `${accepted} (the requestIds above)` : `none of ${deletions.length.toLocaleString("en-US")} deletions was accepted`}\n`);
    return 1;
  }
  io.out(`✓ ${sent.toLocaleString("en-US")} deletions accepted in ${requests} request${requests === 1 ? "" : "s"}; Amazon erases the data within 30 days`);
  return 0;
}
