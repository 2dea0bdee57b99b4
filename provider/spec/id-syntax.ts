/**
 * ID syntax per type, taken from the schema (`CookieId`, `Maid`, `ExternalUserId`) so inline
 * lists, deletions and ID files follow one set of rules. Messages never quote the ID: IDs are
 * personal data.
 */
import type { IdType } from "./loaded-spec";
import { SPEC_SCHEMA } from "./spec-schema";

/** Why an ID is invalid, or undefined when it is valid. Matches the plan's `IdValidator`. */
export type IdSyntaxCheck = (id: string) => string | undefined;

/** One rule of an ID definition: a pattern the ID must (or must not) match, and the message when it fails. */
interface IdRule {
  pattern: RegExp;
  mustMatch: boolean;
  message: string;
}

interface SchemaRule {
  pattern?: string;
  not?: { pattern: string };
  errorMessage: string;
  allOf?: SchemaRule[];
}

const DEFINITION_OF: Record<IdType, string> = { COOKIE: "CookieId", MAID: "Maid", EXTERNAL_USER_ID: "ExternalUserId" };

function rulesOf(definition: SchemaRule): IdRule[] {
  const own: IdRule[] = [];
  if (definition.pattern !== undefined) own.push({ pattern: new RegExp(definition.pattern, "u"), mustMatch: true, message: definition.errorMessage });
  if (definition.not !== undefined) own.push({ pattern: new RegExp(definition.not.pattern, "u"), mustMatch: false, message: definition.errorMessage });
  return [...own, ...(definition.allOf ?? []).flatMap(rulesOf)];
}

function checkFor(type: IdType): IdSyntaxCheck {
  const definitions = (SPEC_SCHEMA as { $defs: Record<string, SchemaRule> }).$defs;
  const definition = definitions[DEFINITION_OF[type]];
  if (definition === undefined) throw new Error(`schema has no ${DEFINITION_OF[type]} definition`);
  const rules = rulesOf(definition);
  return (id) => rules.find((rule) => rule.pattern.test(id) !== rule.mustMatch)?.message;
}

/**
 * Syntax checks per ID type: COOKIE 1–1999 characters of `A-Za-z0-9_-=+/.:`; MAID a UUID in any
 * case, not all zeros; EXTERNAL_USER_ID 1–128 characters of `A-Za-z0-9_-`.
 * The message reads after the ID's position, e.g. "line 12: is not a valid MAID: …".
 */
export const ID_SYNTAX_CHECKS: Readonly<Record<IdType, IdSyntaxCheck>> = {
  COOKIE: checkFor("COOKIE"),
  MAID: checkFor("MAID"),
  EXTERNAL_USER_ID: checkFor("EXTERNAL_USER_ID"),
};

/**
 * A fast check on an ID's UTF-8 bytes: true means the ID is valid; false means "decide with the
 * string check" (not necessarily invalid). Matches the plan's `IdBytesCheck`.
 */
export type IdBytesCheck = (bytes: Uint8Array, start: number, end: number) => boolean;

/** A schema pattern of one ASCII character class repeated m–n times: `^[…]{m,n}$`. */
const CLASS_REPEAT = /^\^\[([^\]\\]+)\]\{(\d+),(\d+)\}\$$/;

/**
 * The byte check of a type whose whole rule is one character class repeated (COOKIE,
 * EXTERNAL_USER_ID), derived from the same schema pattern: each ASCII byte is tried against the
 * class once, so the check is the rule itself, only without building a string per ID (for
 * millions of IDs, the string and the regular expression cost more than the rest of reading
 * them). Undefined for other rules (MAID).
 */
function bytesCheckFor(type: IdType): IdBytesCheck | undefined {
  const definitions = (SPEC_SCHEMA as { $defs: Record<string, SchemaRule> }).$defs;
  const definition = definitions[DEFINITION_OF[type]] as SchemaRule;
  const match = definition.not === undefined && definition.allOf === undefined ? CLASS_REPEAT.exec(definition.pattern ?? "") : null;
  if (match === null) return undefined;
  const [, characters, min, max] = match as unknown as [string, string, string, string];
  const one = new RegExp(`^[${characters}]$`, "u");
  const allowed = new Uint8Array(256);
  for (let byte = 0; byte < 128; byte++) allowed[byte] = one.test(String.fromCharCode(byte)) ? 1 : 0;
  const shortest = Number(min);
  const longest = Number(max);
  return (bytes, start, end) => {
    // Non-ASCII bytes are never allowed here: such IDs go to the string check.
    if (end - start < shortest || end - start > longest) return false;
    for (let i = start; i < end; i++) if (allowed[bytes[i] as number] === 0) return false;
    return true;
  };
}

/** Byte checks per ID type, where the rule allows one (see {@link bytesCheckFor}). */
export const ID_BYTES_CHECKS: Readonly<Record<IdType, IdBytesCheck | undefined>> = {
  COOKIE: bytesCheckFor("COOKIE"),
  MAID: bytesCheckFor("MAID"),
  EXTERNAL_USER_ID: bytesCheckFor("EXTERNAL_USER_ID"),
};

/** Turns a valid ID into the one form it is stored and sent in. */
export type IdCanonicaliser = (id: string) => string;

/**
 * The canonical form per ID type, applied wherever IDs become a set (inline lists, ID files,
 * library callers' sets, deletions) so one device is one member and one digest:
 * - MAID: **lower case**. A MAID is a UUID (IDFA or AAID), and UUIDs are case-insensitive: RFC 9562
 *   (§4) says they are output in lower case and compared case-insensitively on input. Android
 *   reports the AAID in lower case; iOS prints the IDFA in upper case, so files mix both. Amazon's
 *   references show no MAID example and no case rule, and their one general rule for matched
 *   identifiers is "trim and lowercase"; lower case follows both
 *   (docs/amazon-api.md#open-questions-and-the-reading-we-took).
 * - COOKIE and EXTERNAL_USER_ID: as written. They are case-sensitive (base64-style cookie IDs,
 *   externalIds matched byte for byte against the hashed upload), so case is part of the ID.
 */
export const ID_CANONICAL_FORMS: Readonly<Record<IdType, IdCanonicaliser | undefined>> = {
  COOKIE: undefined,
  MAID: (id) => id.toLowerCase(),
  EXTERNAL_USER_ID: undefined,
};

/** `id` in its canonical form for `type` (see {@link ID_CANONICAL_FORMS}). */
export function canonicalId(type: IdType, id: string): string {
  const canonicalise = ID_CANONICAL_FORMS[type];
  return canonicalise === undefined ? id : canonicalise(id);
}
