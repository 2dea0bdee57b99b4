/**
 * `dsp-audiences delete-users`: one-off user-data deletions (PATCH /v2/dp/users), outside any
 * stack. Uses the stack's settings from the environment (DSP_REGION or DSP_ENDPOINT,
 * DSP_CLIENT_ID, DSP_CLIENT_SECRET, DSP_REFRESH_TOKEN); `--endpoint` points it at the simulator.
 * Prints one line per accepted request with its requestId, never an ID.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { DspClient } from "../client";
import { canonicalId, ID_SYNTAX_CHECKS, ID_TYPES, type IdType } from "../spec";
import { parseRfc3339 } from "../spec/consent-time";
import { resolveDspCredentials, resolveDspEndpoint, type ConfigLookup } from "../config/dsp-settings";
import { sendDeletions, type DeletionEntry } from "../records/deletions";
import { processIo, type CommandIo } from "./command-io";
import { ID_TYPE_ALTERNATION } from "../api-vocabulary";

export const DELETE_USERS_USAGE =
  `dsp-audiences delete-users --type ${ID_TYPE_ALTERNATION} (--value <id> … | --file <ids.txt>) ` +
  "[--advertiser-id <n>] [--consent-time <RFC 3339 | epoch ms>] [--endpoint <url>]";

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
}

const OPTIONS = {
  type: { type: "string" },
  value: { type: "string", multiple: true },
  file: { type: "string" },
  "advertiser-id": { type: "string" },
  "consent-time": { type: "string" },
  endpoint: { type: "string" },
} as const;

/**
 * `--value -abc` as `--value=-abc`: every option here takes a value, and derived externalIds
 * (base64url) may start with "-", which parseArgs would otherwise take for an option.
 */
export function joinOptionValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (arg.startsWith("--") && arg.slice(2) in OPTIONS && next !== undefined) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Parses the arguments. Pure. @throws Error with a one-line reason */
export function parseDeleteUsersArgs(args: string[]): DeleteUsersRequest {
  const { values, positionals } = parseArgs({ args: joinOptionValues(args), allowPositionals: true, options: OPTIONS });
  if (positionals.length > 0) throw new Error("unexpected argument; IDs go in --value or --file");
  const type = values.type as IdType | undefined;
  if (type === undefined || !ID_TYPES.includes(type)) throw new Error(`--type must be one of ${ID_TYPES.join(", ")}`);
  const given = values.value ?? [];
  if (given.length === 0 && values.file === undefined) throw new Error("give the IDs with --value (repeatable) or --file");
  const advertiserId = values["advertiser-id"];
  if (advertiserId !== undefined && !/^[1-9]\d{0,18}$/.test(advertiserId)) throw new Error("--advertiser-id must be a positive integer");
  const consent = values["consent-time"];
  let consentTime: string | undefined;
  if (consent !== undefined) {
    const millis = /^\d+$/.test(consent) ? Number(consent) : parseRfc3339(consent);
    if (millis === undefined || !Number.isSafeInteger(millis)) throw new Error("--consent-time must be an RFC 3339 time with a zone (2026-03-01T12:00:00Z) or epoch milliseconds");
    consentTime = String(millis);
  }
  given.forEach((value, i) => {
    const problem = ID_SYNTAX_CHECKS[type](value);
    if (problem !== undefined) throw new Error(`--value #${i + 1}: ${problem}`);
  });
  return {
    type,
    values: given.map((value) => canonicalId(type, value)),
    ...(values.file !== undefined ? { file: values.file } : {}),
    ...(advertiserId !== undefined ? { advertiserId } : {}),
    ...(consentTime !== undefined ? { consentTime } : {}),
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
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
  let config: ConfigLookup;
  try {
    const request = parseDeleteUsersArgs(args);
    const fileIds = request.file === undefined ? [] : idsFromText(fs.readFileSync(request.file, "utf8"), request.type, request.file);
    deletions = deletionsOf(request, fileIds);
    config = (key) => (key === "dsp:endpoint" ? request.endpoint : undefined);
    resolveDspCredentials(config, io.env); // fail before anything is sent
  } catch (e) {
    io.err(`delete-users: ${e instanceof Error ? e.message : String(e)}\nusage: ${DELETE_USERS_USAGE}\n`);
    return 2;
  }
  const client = new DspClient({ endpoint: resolveDspEndpoint(config, io.env), credentials: () => resolveDspCredentials(config, io.env) });
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
