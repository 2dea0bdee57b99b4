/**
 * `dsp-audiences adopt <audienceId>… | --ids-file <file> [--write <spec.yaml>]`: reads existing
 * audiences (GET /v2/dp/audiencemetadata/{id}, the client's 1 request/s metadata lane) and prints
 * their spec entries, or adds them to a spec keeping its comments. The I/O shell around
 * adopt-entries.ts.
 */
import * as fs from "node:fs";
import { DspHttpError, type AudienceMetadata, type DspClient } from "../client";
import { isPositiveInt64Text } from "../spec/int64";
import { parseCommandLine, UsageError, usageFailure, type CommandSpec } from "../util/command-line";
import { addEntriesToSpec, renderEntries } from "./adopt-entries";
import { processIo, type CommandIo } from "./command-io";
import { connectClient, connectionConfig, CREDENTIALS_ENVIRONMENT, ENDPOINT_OPTIONS } from "./dsp-connection";

/** The command's arguments and options; its parser and its help. */
export const ADOPT_COMMAND = {
  name: "adopt",
  summary: "read existing audiences by id and print their spec entries (adopt: plus their metadata), or add them to a spec",
  description:
    "Reads each audience's metadata from Amazon DSP at 1 request/s (the API has no list call, so the ids are\n" +
    "yours to give) and prints an entry per audience with `adopt:` and the name, description, externalAudienceId,\n" +
    "advertiser, countries, ttl and fees as Amazon has them, so the next `pulumi up` changes none of them.\n" +
    "Members cannot be read from the API: each entry says where to put them.",
  arguments: [{ name: "audienceId", description: "an audience id (an int64, every digit)", variadic: true }],
  options: {
    "ids-file": { type: "string", value: "<file>", description: "audience ids, one per line (blank lines and # comments skipped)" },
    write: { type: "string", value: "<spec.yaml>", description: "add the entries to this spec, keeping its comments (created when missing)", default: "print them" },
    ...ENDPOINT_OPTIONS,
  },
  environment: CREDENTIALS_ENVIRONMENT,
  exitCodes: {
    0: "every audience was read (and written)",
    1: "an audience could not be read; the others are printed or written",
    2: "usage error, a bad id, an unreadable ids file or spec, or a missing setting: nothing was read",
  },
} as const satisfies CommandSpec;

/** What the command line asks for. */
export interface AdoptRequest {
  /** Distinct, in the order given. */
  ids: string[];
  write?: string;
  endpoint?: string;
  region?: string;
}

/** Audience ids of an ids file; problems name the line. Pure. @throws UsageError */
export function audienceIdsFromText(text: string, fileName: string): string[] {
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    if (!isPositiveInt64Text(line)) throw new UsageError(`${fileName} line ${i + 1}: not an audience id (a positive int64, digits only)`);
    ids.push(line);
  });
  return ids;
}

/** Parses the arguments and reads the ids file. @throws UsageError */
export function parseAdoptArgs(args: readonly string[], readFile: (file: string) => string = (f) => fs.readFileSync(f, "utf8")): AdoptRequest {
  const { values, positionals } = parseCommandLine(ADOPT_COMMAND, args);
  positionals.forEach((id, i) => {
    if (!isPositiveInt64Text(id)) throw new UsageError(`argument ${i + 1} is not an audience id (a positive int64, digits only)`);
  });
  let fromFile: string[] = [];
  const file = values["ids-file"];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFile(file);
    } catch (e) {
      throw new UsageError(`${file}: cannot read the ids file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    fromFile = audienceIdsFromText(text, file);
  }
  const ids = [...new Set([...positionals, ...fromFile])];
  if (ids.length === 0) throw new UsageError("give audience ids as arguments or with --ids-file");
  return {
    ids,
    ...(values.write !== undefined ? { write: values.write } : {}),
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
}

/** `[2/5] 72057594038053891: Loyal customers 2026` */
export function progressLine(done: number, total: number, audienceId: string, outcome: string): string {
  return `[${done}/${total}] ${audienceId}: ${outcome}`;
}

/** Reads every audience in turn; one that Amazon does not have (404, 403) is reported and skipped, any other failure stops. */
async function readAudiences(client: DspClient, ids: readonly string[], io: CommandIo): Promise<{ read: AudienceMetadata[]; failed: number }> {
  const read: AudienceMetadata[] = [];
  let failed = 0;
  for (const [i, id] of ids.entries()) {
    try {
      const audience = await client.getAudience(id);
      read.push(audience);
      io.err(`${progressLine(i + 1, ids.length, id, audience.name)}\n`);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      failed++;
      io.err(`${progressLine(i + 1, ids.length, id, `✗ ${e.message}`)}\n`);
      if (!(e instanceof DspHttpError && (e.status === 404 || e.status === 403))) {
        io.err(`stopped after ${i + 1} of ${ids.length}: the next reads would fail the same way\n`);
        failed += ids.length - i - 1;
        break;
      }
    }
  }
  return { read, failed };
}

/** Runs the command; returns the exit code (see ADOPT_COMMAND.exitCodes). */
export async function adoptCommand(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  let request: AdoptRequest;
  let client: DspClient;
  let specText = "";
  try {
    request = parseAdoptArgs(args);
    if (request.write !== undefined && fs.existsSync(request.write)) {
      specText = fs.readFileSync(request.write, "utf8");
      addEntriesToSpec(specText, request.write, []); // a spec that cannot take entries fails before any read
    }
    client = connectClient(connectionConfig(request), io.env);
  } catch (e) {
    if (e instanceof UsageError) io.err(usageFailure(ADOPT_COMMAND, e));
    else io.err(`dsp-audiences adopt: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  io.err(`reading ${request.ids.length} audience${request.ids.length === 1 ? "" : "s"} at 1 request/s\n`);
  let outcome: { read: AudienceMetadata[]; failed: number };
  try {
    outcome = await readAudiences(client, request.ids, io);
  } finally {
    client.close();
  }
  const { read, failed } = outcome;
  if (request.write === undefined) {
    if (read.length > 0) io.out(renderEntries(read).trimEnd());
  } else if (read.length > 0) {
    const edit = addEntriesToSpec(specText, request.write, read);
    fs.writeFileSync(request.write, edit.text);
    for (const p of edit.present) io.err(`${p.audienceId}: already adopted by audiences.${p.key}; left as it is\n`);
    const keys = edit.added.map((a) => a.key).join(", ");
    io.out(`✓ ${request.write}: ${edit.added.length} audience${edit.added.length === 1 ? "" : "s"} added${keys === "" ? "" : ` (${keys})`}; add their members, then \`dsp-audiences validate ${request.write}\``);
  }
  if (failed > 0) {
    io.err(`✗ ${failed} of ${request.ids.length} audiences could not be read\n`);
    return 1;
  }
  return 0;
}
