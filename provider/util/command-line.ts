/**
 * One option table per command: `node:util` parseArgs splits the arguments by it, and the same
 * table writes the command's help, so what a command accepts and what its help says cannot drift
 * apart. Pure; the commands print what it returns.
 */
import { parseArgs } from "node:util";

/** One `--option` of a command. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` is a switch. */
  type: "string" | "boolean";
  /** The value's placeholder in the help, e.g. `<file>`. @default "<value>" */
  value?: string;
  /** A one-letter alias (`-p`). */
  short?: string;
  /** May be given more than once; the values are collected in order. */
  multiple?: boolean;
  /** What it does, in one line. */
  description: string;
  /** The default, in words, when it has one. */
  default?: string;
  /** The environment variable that supplies it when the option is not given. */
  env?: string;
}

/** One positional argument of a command. */
export interface ArgumentSpec {
  /** Shown as `<name>`. */
  name: string;
  description: string;
  /** Optional, with this default in words. */
  default?: string;
  /** Optional without a default. */
  optional?: boolean;
  /** Takes every remaining argument (`<name>…`). */
  variadic?: boolean;
}

/** Everything a command's parser and help need. */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** The word after `dsp-audiences`. */
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** Paragraphs after the usage line. */
  description?: string;
  arguments?: readonly ArgumentSpec[];
  options: O;
  /** What follows `--`, passed on unparsed (plan-summary passes it to `pulumi preview`). */
  passThrough?: string;
  /** Environment variables the command reads that are not an option's. */
  environment?: Readonly<Record<string, string>>;
  /** Exit status → meaning; 2 is always a usage error. */
  exitCodes: Readonly<Record<number, string>>;
}

/** Thrown for arguments the command cannot take; the message is one line meant for the user. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Every command takes these; they are not in the commands' tables. */
export const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "show this help" };

type ValueOf<S extends OptionSpec> = S["type"] extends "boolean" ? boolean : S["multiple"] extends true ? string[] : string;

/** Parsed arguments: each option's value, the positionals, and what followed `--` when the command passes it on. */
export interface ParsedCommandLine<O extends Record<string, OptionSpec>> {
  values: { [K in keyof O]?: ValueOf<O[K]> };
  positionals: string[];
  passThrough: string[];
  help: boolean;
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The candidate closest to `word`, if one is close enough to be what was meant. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) || word.startsWith(candidate) ? 1 : editDistance(word, candidate);
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

/** `unknown option '--prot' (did you mean --port?)` */
function unknownOption(raw: string, spec: CommandSpec): UsageError {
  const names = [...Object.keys(spec.options), "help"];
  const near = raw.startsWith("--") ? closestMatch(raw.slice(2).split("=")[0] as string, names) : undefined;
  return new UsageError(`unknown option '${raw}'${near === undefined ? "" : ` (did you mean --${near}?)`}`);
}

/** How many positionals the command takes, in words. */
function positionalRange(spec: CommandSpec): { min: number; max: number } {
  const args = spec.arguments ?? [];
  const min = args.filter((a) => a.default === undefined && a.optional !== true && a.variadic !== true).length;
  return { min, max: args.some((a) => a.variadic === true) ? Infinity : args.length };
}

/**
 * Parses `args` by the command's table.
 * @throws UsageError for an unknown option (with the closest match), a missing or unwanted value,
 *   an option given twice that takes one value, or too many arguments. A value is never echoed.
 */
export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: readonly string[]): ParsedCommandLine<O> {
  const cut = spec.passThrough !== undefined ? args.indexOf("--") : -1;
  const own = cut < 0 ? [...args] : args.slice(0, cut);
  const passThrough = cut < 0 ? [] : args.slice(cut + 1);
  const table: Record<string, OptionSpec> = { ...spec.options, help: HELP_OPTION };
  const parserOptions = Object.fromEntries(
    Object.entries(table).map(([name, o]) => [name, { type: o.type, ...(o.short !== undefined ? { short: o.short } : {}), ...(o.multiple === true ? { multiple: true } : {}) }]),
  );
  // Not strict: the checks below give one message per problem, and a value may start with "-".
  const { values, positionals, tokens } = parseArgs({ args: own, options: parserOptions, strict: false, allowPositionals: true, tokens: true });
  const isOptionName = (text: string): boolean => {
    const name = text.startsWith("--") ? text.slice(2).split("=")[0] : text.length === 2 && text.startsWith("-") ? Object.keys(table).find((k) => table[k]?.short === text[1]) : undefined;
    return name !== undefined && name in table;
  };
  if (values.help === true) return { values: {}, positionals: [], passThrough: [], help: true };
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = table[token.name];
    if (option === undefined) throw unknownOption(token.rawName, spec);
    if (option.type === "boolean" && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
    if (option.type === "string") {
      // "--stack --json": the next word was another option, not this one's value.
      if (token.value === undefined || (token.inlineValue === false && isOptionName(token.value))) throw new UsageError(`${token.rawName} needs a value`);
      if (option.multiple !== true && seen.has(token.name)) throw new UsageError(`${token.rawName} is given twice; it takes one value`);
    }
    seen.add(token.name);
  }
  const { min, max } = positionalRange(spec);
  const expected = (spec.arguments ?? []).map((a) => `<${a.name}>`).join(" ");
  if (positionals.length > max || positionals.length < min) {
    const [word, n] = min === max ? ["exactly", min] : positionals.length > max ? ["at most", max] : ["at least", min];
    const what = max === 0 ? `unexpected argument: ${spec.name} takes none` : `expected ${word} ${n} argument${n === 1 ? "" : "s"} (${expected}), got ${positionals.length}`;
    throw new UsageError(what);
  }
  return { values: { ...values } as ParsedCommandLine<O>["values"], positionals, passThrough, help: false };
}

/** `dsp-audiences validate [options] [<spec>]` */
export function synopsis(spec: CommandSpec): string {
  const args = (spec.arguments ?? []).map((a) => {
    const word = `<${a.name}>${a.variadic === true ? "…" : ""}`;
    return a.default !== undefined || a.optional === true || a.variadic === true ? `[${word}]` : word;
  });
  const options = Object.keys(spec.options).length > 0 ? ["[options]"] : [];
  const rest = spec.passThrough !== undefined ? [`[-- <${spec.passThrough}>]`] : [];
  return ["dsp-audiences", spec.name, ...options, ...args, ...rest].join(" ");
}

/** `--stack <name>` / `-p, --port <n>` */
export function optionLabel(name: string, option: OptionSpec): string {
  const long = `--${name}${option.type === "string" ? ` ${option.value ?? "<value>"}` : ""}`;
  return option.short !== undefined ? `-${option.short}, ${long}` : `    ${long}`;
}

/** The option's help line after its label: description, then default and environment variable. */
export function optionDetail(option: OptionSpec): string {
  const notes = [
    ...(option.multiple === true ? ["repeatable"] : []),
    ...(option.default !== undefined ? [`default: ${option.default}`] : []),
    ...(option.env !== undefined ? [`env: ${option.env}`] : []),
  ];
  return `${option.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)), 34);
  return rows.map(([left, right]) => (left.length > width ? `  ${left}\n  ${" ".repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`));
}

/** The whole help of a command, from its table. */
export function renderHelp(spec: CommandSpec): string {
  const parts = [`usage: ${synopsis(spec)}`, "", spec.summary];
  if (spec.description !== undefined) parts.push("", spec.description);
  const args = spec.arguments ?? [];
  if (args.length > 0) {
    parts.push("", "Arguments:", ...table(args.map((a) => [`<${a.name}>${a.variadic === true ? "…" : ""}`, `${a.description}${a.default !== undefined ? ` (default: ${a.default})` : ""}`])));
  }
  const options: Array<[string, string]> = Object.entries(spec.options).map(([name, o]) => [optionLabel(name, o), optionDetail(o)]);
  options.push([optionLabel("help", HELP_OPTION), optionDetail(HELP_OPTION)]);
  if (spec.passThrough !== undefined) options.push([`    -- <${spec.passThrough}>`, "everything after -- is passed on as it is"]);
  parts.push("", "Options:", ...table(options));
  const environment = Object.entries(spec.environment ?? {});
  if (environment.length > 0) parts.push("", "Environment:", ...table(environment));
  const codes = Object.entries({ ...spec.exitCodes, 2: spec.exitCodes[2] ?? "usage error: an unknown option, a missing or bad value" });
  parts.push("", "Exit codes:", ...table(codes.map(([code, meaning]) => [code, meaning])));
  return parts.join("\n");
}

/** What a command prints (to stderr) for a usage error: the reason, the usage line, where the help is. */
export function usageFailure(spec: CommandSpec, error: UsageError): string {
  return `dsp-audiences ${spec.name}: ${error.message}\nusage: ${synopsis(spec)}\n(dsp-audiences help ${spec.name} lists every option)\n`;
}

/** A whole number ≥ `min` from an option's text. @throws UsageError naming the option */
export function wholeNumber(option: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${option} must be an integer ≥ ${min}`);
  return Number(text);
}
