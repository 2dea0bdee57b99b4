/**
 * Seeded generator of synthetic people for tests and benchmarks. Nothing here is real: names are
 * combined from short lists, emails use the reserved example.com/.net/.org domains (RFC 2606),
 * US phones use the fictional 555-01xx range and UK ones Ofcom's drama range (020 7946 0xxx).
 * Files are generated at test time into temp directories, never committed.
 */
import * as fs from "node:fs";
import { once } from "node:events";
import { mulberry32 as createRandom } from "../../provider/util/seeded-random";

/** mulberry32: same seed, same people. */
export { createRandom };

export interface SyntheticPerson {
  readonly email: string;
  readonly phone: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly address: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
}

const FIRST = ["Jane", "John", "José", "Zoë", "Jürgen", "Ana", "Li", "Mary-Kate", "O'Neil", "Renée", "Søren", "Åsa", "Chloé", "Omar", "Priya"];
const LAST = ["Doe", "Roe", "Müller", "García", "O'Brien", "Nguyen", "Smith-Jones", "Łukasz", "Straße", "Dupont", "Kim", "Öztürk", "Van der Berg"];
const STREETS = ["Main", "Oak", "Maple", "Cedar", "Elm", "Pine", "Sunset", "Lake", "Hill", "Park"];
const SUFFIXES = ["St.", "Ave", "Road", "Blvd", "Lane", "Way"];
const CITIES = ["Springfield", "Riverton", "Fairview", "Greenville", "Salem", "Franklin", "Clinton", "Madison", "Georgetown", "Ashland"];
const STATES = ["IL", "ny", "California", "TX", " wa ", "N.Y.", "Ohio", "fl", "US-NV", "ma"];
const DOMAINS = ["example.com", "Example.COM", "example.net", "example.org"];

export interface SyntheticOptions {
  /** Share of addresses written with a comma (quoted in CSV, sometimes with escaped quotes). @default 0.05 */
  readonly quotedShare?: number;
  /** Share of fields left empty. @default 0.05 */
  readonly emptyShare?: number;
}

/** The `i`-th person of the sequence for `seed`; every email is unique within a sequence. */
export function syntheticPerson(random: () => number, i: number, options: SyntheticOptions = {}): SyntheticPerson {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const empty = options.emptyShare ?? 0.05;
  const maybe = (value: string): string => (random() < empty ? "" : value);
  const first = pick(FIRST);
  const last = pick(LAST);
  const local = `${first}.${last}`.replace(/[^A-Za-z.]/g, "");
  const sep = random() < 0.1 ? "_" : random() < 0.1 ? "+news" : "";
  const spaced = random() < 0.2;
  const email = `${spaced ? "  " : ""}${local}${sep}${i}@${pick(DOMAINS)}${spaced ? " " : ""}`;
  const area = 201 + Math.floor(random() * 700);
  const line = String(100 + Math.floor(random() * 100)).padStart(4, "0");
  const phoneStyle = random();
  const phone =
    phoneStyle < 0.3 ? `(${area}) 555-${line}`
    : phoneStyle < 0.55 ? `${area}-555-${line}`
    : phoneStyle < 0.75 ? `+1 ${area} 555 ${line}`
    : phoneStyle < 0.9 ? `1${area}555${line}`
    : `+44 (0)20 7946 0${line.slice(1)}`;
  const street = `${1 + Math.floor(random() * 9999)} ${pick(STREETS)} ${pick(SUFFIXES)}`;
  const quoted = random() < (options.quotedShare ?? 0.05);
  const address = quoted ? (random() < 0.3 ? `${street}, Apt "${1 + Math.floor(random() * 40)}"` : `${street}, Apt ${1 + Math.floor(random() * 40)}`) : street;
  const zip5 = String(Math.floor(random() * 100000)).padStart(5, "0");
  const zip = random() < 0.2 ? `${zip5}-${String(Math.floor(random() * 10000)).padStart(4, "0")}` : zip5;
  return {
    email,
    phone: maybe(phone),
    firstName: maybe(random() < 0.3 ? first.toUpperCase() : first),
    lastName: maybe(last),
    address: maybe(address),
    city: maybe(pick(CITIES)),
    state: maybe(pick(STATES)),
    zip: maybe(zip),
  };
}

export function syntheticPeople(count: number, seed = 1, options: SyntheticOptions = {}): SyntheticPerson[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => syntheticPerson(random, i, options));
}

export const TEMPLATE_HEADER = "email,phone,first_name,last_name,address,city,state,zip";

/** RFC 4180 quoting where needed. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function personCsvLine(p: SyntheticPerson): string {
  return [p.email, p.phone, p.firstName, p.lastName, p.address, p.city, p.state, p.zip].map(csvField).join(",");
}

export interface CsvFileOptions extends SyntheticOptions {
  readonly seed?: number;
  /** @default "\n" */
  readonly lineEnding?: "\n" | "\r\n";
  /** @default TEMPLATE_HEADER */
  readonly header?: string;
}

/** Writes `count` synthetic people as a template CSV, streaming (fine for millions of rows). */
export async function writeSyntheticCsv(path: string, count: number, options: CsvFileOptions = {}): Promise<void> {
  const random = createRandom(options.seed ?? 1);
  const eol = options.lineEnding ?? "\n";
  const out = fs.createWriteStream(path);
  let buffer = `${options.header ?? TEMPLATE_HEADER}${eol}`;
  for (let i = 0; i < count; i++) {
    buffer += personCsvLine(syntheticPerson(random, i, options)) + eol;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(buffer);
  await once(out, "finish");
}
