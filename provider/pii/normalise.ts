/**
 * Pure per-field normalisers, following Amazon's formatting rules for hashed records
 * (advertising.amazon.com/help/GCCXMZYCK4RXWS6C, reconstructed from code that cites it; see
 * docs/normalisation.md for every choice where public implementations disagree).
 *
 * Each normaliser returns `undefined` for an empty value (the field is simply absent), the
 * normalised string, or a typed failure whose `reason` describes the problem and never
 * repeats the value: these reasons end up in logs and CI output.
 */
import { COUNTRIES, COUNTRY_CODES, isCountryCode, rulesForInternationalNumber, type CountryCode, type CountryRules } from "./countries";
import type { PiiField } from "./pii-fields";
import { northAmericanSubdivisionCode } from "./subdivisions";

/** How letters outside ASCII are turned into `[a-z]` before everything else is stripped. */
export type NonAsciiLetters =
  /**
   * Amazon's formatting guideline as the AWS uploader implements it (the default): ß→ss, ä→ae,
   * ö→oe, ü→ue, ø→o, æ→ae (upper case too, after lowercasing); every other non-ASCII letter is
   * then removed with the punctuation, as all three references do: "Müller"→"mueller",
   * "José"→"jos".
   */
  | "aws"
  /** ß→ss, æ→ae, ø→o, œ→oe, ł→l, þ→th…, then accents removed: é→e, ä→a, ñ→n (the default before issue 12). */
  | "fold"
  /** Like "fold" but German umlauts expand: ä→ae, ö→oe, ü→ue (the AWS uploader's rule). */
  | "expand-german"
  /** Non-ASCII letters are removed like punctuation: "Müller"→"mller" (Segment's rule). */
  | "drop";

/** Choices where implementations of Amazon's rules disagree. */
export interface NormaliseOptions {
  /**
   * Country assumed for phone numbers written without "+" or "00", and whose postal-code rules
   * apply (the CSV template has no country column). One of {@link COUNTRY_CODES}.
   * @default "US"
   */
  readonly defaultCountry?: CountryCode;
  /** Keep "_" in emails (AWS uploader) instead of removing it like Segment and RudderStack. @default false */
  readonly keepUnderscoreInEmail?: boolean;
  /** Emit phones as "+<digits>" (RudderStack's E.164) instead of digits only (Segment, AWS). @default false */
  readonly keepPlusInPhone?: boolean;
  /** Case of the two-letter state code: Segment and RudderStack lowercase, the AWS uploader uppercases. @default "lower" */
  readonly stateCase?: "lower" | "upper";
  /** See {@link NonAsciiLetters}. @default "aws" */
  readonly nonAsciiLetters?: NonAsciiLetters;
  /** Accept full US state / Canadian province names ("New York" → "ny"). @default true */
  readonly mapStateNames?: boolean;
}

/** Options with every default filled in; build once with {@link resolveNormaliseOptions}. */
export interface ResolvedNormaliseOptions {
  readonly defaultCountry: CountryCode;
  readonly keepUnderscoreInEmail: boolean;
  readonly keepPlusInPhone: boolean;
  readonly stateCase: "lower" | "upper";
  readonly nonAsciiLetters: NonAsciiLetters;
  readonly mapStateNames: boolean;
}

export type NormaliseFailureCode =
  | "email-no-at"
  | "email-several-at"
  | "email-no-local-part"
  | "email-no-domain"
  | "email-domain-no-dot"
  | "phone-has-letters"
  | "phone-too-few-digits"
  | "phone-too-many-digits"
  | "phone-invalid"
  | "no-latin-letters-or-digits"
  | "state-not-a-code"
  | "postal-code-invalid";

export interface NormaliseFailure {
  readonly ok: false;
  readonly code: NormaliseFailureCode;
  /** What is wrong, e.g. "email has no @". Never contains the input value. */
  readonly reason: string;
}

export type NormaliseResult = { readonly ok: true; readonly value: string } | NormaliseFailure;

/** Fills defaults and rejects an unknown `defaultCountry` (a configuration error, so it throws). */
export function resolveNormaliseOptions(options: NormaliseOptions = {}): ResolvedNormaliseOptions {
  const defaultCountry = options.defaultCountry ?? "US";
  if (!isCountryCode(defaultCountry)) {
    throw new RangeError(`defaultCountry must be one of ${COUNTRY_CODES.join(", ")}`);
  }
  return {
    defaultCountry,
    keepUnderscoreInEmail: options.keepUnderscoreInEmail ?? false,
    keepPlusInPhone: options.keepPlusInPhone ?? false,
    stateCase: options.stateCase ?? "lower",
    nonAsciiLetters: options.nonAsciiLetters ?? "aws",
    mapStateNames: options.mapStateNames ?? true,
  };
}

const ok = (value: string): NormaliseResult => ({ ok: true, value });
const fail = (code: NormaliseFailureCode, reason: string): NormaliseFailure => ({ ok: false, code, reason });

// eslint-disable-next-line no-control-regex -- the ASCII range is the point
const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}/gu;
const SPECIAL_FOLDS: Readonly<Record<string, string>> = {
  ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", þ: "th", ł: "l", ı: "i", ħ: "h", ŧ: "t",
};
const SPECIAL_FOLDS_RE = /[ßæœøđðþłıħŧ]/g;
const GERMAN_UMLAUTS: Readonly<Record<string, string>> = { ä: "ae", ö: "oe", ü: "ue" };
/** The AWS uploader's table (docs/amazon-api.md#hashing-and-normalisation, docs/normalisation.md), applied after lowercasing. */
const AWS_TRANSLITERATIONS: Readonly<Record<string, string>> = { ß: "ss", ä: "ae", ö: "oe", ü: "ue", ø: "o", æ: "ae" };
const AWS_TRANSLITERATION_CHARS = /[ßäöüøæ]/g;
const GERMAN_UMLAUT_CHARS = /[äöü]/g;

/**
 * The reference mapping of an already lowercased string: compatibility forms (full-width
 * "０１２", ligatures) always go through NFKC, since they are formatting, not other characters;
 * then letters go to ASCII per `mode`.
 */
function foldSlow(lower: string, mode: NonAsciiLetters): string {
  let s = lower.normalize("NFKC").toLowerCase();
  if (mode === "drop") return s;
  // Everything the table does not map stays non-ASCII here and is removed by the field's rule.
  if (mode === "aws") return s.replace(AWS_TRANSLITERATION_CHARS, (c) => AWS_TRANSLITERATIONS[c] ?? c);
  if (mode === "expand-german") s = s.replace(GERMAN_UMLAUT_CHARS, (c) => GERMAN_UMLAUTS[c] ?? c);
  return s
    .replace(SPECIAL_FOLDS_RE, (c) => SPECIAL_FOLDS[c] ?? c)
    .normalize("NFD")
    .replace(COMBINING_MARKS, "");
}

/**
 * foldSlow of each single character U+0080–U+024F (Latin-1 and Latin Extended), computed once:
 * these precomposed characters do not interact under normalisation, so mapping them one by one
 * equals folding the whole string. Anything else (combining marks, other scripts, full-width
 * forms) takes the slow path for the whole string.
 */
const TABLE_START = 0x80;
const TABLE_END = 0x250;
const FOLD_TABLES: Readonly<Record<NonAsciiLetters, readonly string[]>> = {
  aws: buildFoldTable("aws"),
  fold: buildFoldTable("fold"),
  "expand-german": buildFoldTable("expand-german"),
  drop: buildFoldTable("drop"),
};

function buildFoldTable(mode: NonAsciiLetters): string[] {
  const table: string[] = [];
  for (let code = TABLE_START; code < TABLE_END; code++) table.push(foldSlow(String.fromCharCode(code).toLowerCase(), mode));
  return table;
}

/** Lowercases and maps letters to ASCII per `mode` (see {@link foldSlow}); all-ASCII input costs one regex test. */
export function toAsciiLower(value: string, mode: NonAsciiLetters): string {
  const lower = value.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  const table = FOLD_TABLES[mode];
  let out = "";
  let run = 0; // start of the pending ASCII run
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (code < TABLE_START) continue;
    if (code >= TABLE_END) return foldSlow(lower, mode);
    out += lower.slice(run, i) + (table[code - TABLE_START] as string);
    run = i + 1;
  }
  return out + lower.slice(run);
}

/** The unoptimised mapping, exported so tests can check {@link toAsciiLower} against it. */
export function toAsciiLowerReference(value: string, mode: NonAsciiLetters): string {
  const lower = value.toLowerCase();
  return NON_ASCII.test(lower) ? foldSlow(lower, mode) : lower;
}

const NOT_ALNUM = /[^a-z0-9]/g;
const NOT_EMAIL = /[^a-z0-9.@-]/g;
const NOT_EMAIL_KEEP_UNDERSCORE = /[^a-z0-9._@-]/g;

/** The ASCII characters a field keeps after lowercasing, as a table by character code (1 = kept). */
export type AsciiKeep = Uint8Array;

function asciiKeep(kept: string): AsciiKeep {
  const table = new Uint8Array(0x80);
  for (let i = 0; i < kept.length; i++) table[kept.charCodeAt(i)] = 1;
  return table;
}

const ALNUM_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
/** What {@link NOT_ALNUM}, {@link NOT_EMAIL} and {@link NOT_EMAIL_KEEP_UNDERSCORE} leave. */
export const ALNUM_KEEP = asciiKeep(ALNUM_CHARS);
export const EMAIL_KEEP = asciiKeep(`${ALNUM_CHARS}.@-`);
export const EMAIL_KEEP_UNDERSCORE = asciiKeep(`${ALNUM_CHARS}._@-`);

/**
 * The ASCII fast path of `toAsciiLower(value, mode).replace(<what keep lacks>, "")`: when `value`
 * lowercases to ASCII (nearly every value), the result is the lowercase text with the characters
 * `keep` lacks removed, in one pass over character codes and without a regular expression; the
 * folding mode plays no part. Undefined when the lowercase text is not ASCII: the caller takes
 * the general path. The property tests hold the two paths equal on arbitrary Unicode.
 */
export function keepAsciiLower(value: string, keep: AsciiKeep): string | undefined {
  const lower = value.toLowerCase();
  let out = "";
  let run = 0; // start of the pending kept run
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (code > 0x7f) return undefined;
    if (keep[code] === 1) continue;
    if (i > run) out += lower.slice(run, i);
    run = i + 1;
  }
  return run === 0 ? lower : out + lower.slice(run);
}

/** `value` lowercased, letters mapped to ASCII per `mode`, then only what `keep` (and `removed`, its complement) allow. */
function keptAscii(value: string, mode: NonAsciiLetters, keep: AsciiKeep, removed: RegExp): string {
  return keepAsciiLower(value, keep) ?? toAsciiLower(value, mode).replace(removed, "");
}
const DOMAIN_WITH_DOT = /[a-z0-9-]\.[a-z0-9]/;

/** Email: trim, lowercase, keep `[a-z0-9.@-]` (plus `_` on request); one @, a local part and a dotted domain. */
export function normaliseEmailWith(raw: string, o: ResolvedNormaliseOptions): NormaliseResult | undefined {
  const trimmed = raw.trim();
  if (trimmed === "") return undefined;
  const s = o.keepUnderscoreInEmail
    ? keptAscii(trimmed, o.nonAsciiLetters, EMAIL_KEEP_UNDERSCORE, NOT_EMAIL_KEEP_UNDERSCORE)
    : keptAscii(trimmed, o.nonAsciiLetters, EMAIL_KEEP, NOT_EMAIL);
  const at = s.indexOf("@");
  if (at < 0) return fail("email-no-at", "email has no @");
  if (s.indexOf("@", at + 1) >= 0) return fail("email-several-at", "email has more than one @");
  if (at === 0) return fail("email-no-local-part", "email has no Latin letters or digits before the @");
  const domain = s.slice(at + 1);
  if (domain === "") return fail("email-no-domain", "email has no domain after the @");
  if (!DOMAIN_WITH_DOT.test(domain)) return fail("email-domain-no-dot", "email domain has no dot (expected like example.com)");
  return ok(s);
}

/** First/last name, address, city: trim, lowercase, letters to ASCII, keep `[a-z0-9]` only. */
export function normaliseTextWith(raw: string, o: ResolvedNormaliseOptions, label: string): NormaliseResult | undefined {
  const trimmed = raw.trim();
  if (trimmed === "") return undefined;
  const s = keptAscii(trimmed, o.nonAsciiLetters, ALNUM_KEEP, NOT_ALNUM);
  return s === "" ? fail("no-latin-letters-or-digits", `${label} has no Latin letters or digits`) : ok(s);
}

const PHONE_EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$/i;
const TRUNK_IN_PARENS = /\(0\)/g;
const LETTERS = /[a-z]/i;
const MAYBE_EXTENSION = /[a-z#]/i;
const LEADING_PLUS = /^[\s(]*\+/;
const NOT_DIGIT = /\D/g;
/** E.164 allows at most 15 digits; below 7 no country's numbers go. */
const E164_MAX_DIGITS = 15;
const E164_MIN_DIGITS = 7;

/**
 * Checks a national significant number: its length, and its first digit where the numbering
 * plan forbids some (a trunk-prefix country's numbers never start with that prefix; North
 * American area codes start with 2-9). Without the first-digit check, "+81 0 0…" would lose one
 * more 0 on each normalisation.
 */
function checkNsn(nsn: string, rules: CountryRules, country: string): NormaliseFailure | undefined {
  if (rules.trunkPrefix !== undefined && nsn.startsWith(rules.trunkPrefix)) {
    return fail("phone-invalid", `phone is not a valid ${country} number (the national number cannot start with ${rules.trunkPrefix})`);
  }
  if (rules.callingCode === "1" && /^[01]/.test(nsn)) {
    return fail("phone-invalid", `phone is not a valid ${country} number (area codes start with 2-9)`);
  }
  return nsnLengthFits(nsn.length, rules) ? undefined : nsnLengthFailure(nsn.length, rules, country);
}

function nsnLengthFits(length: number, rules: CountryRules): boolean {
  return length >= rules.nsnMin && length <= rules.nsnMax;
}

function nsnLengthFailure(length: number, rules: CountryRules, country: string): NormaliseFailure {
  const expected = rules.nsnMin === rules.nsnMax ? `${rules.nsnMin}` : `${rules.nsnMin} to ${rules.nsnMax}`;
  const detail = `${length} digits after the country code; a ${country} number has ${expected}`;
  return length < rules.nsnMin
    ? fail("phone-too-few-digits", `phone has too few digits (${detail})`)
    : fail("phone-too-many-digits", `phone has too many digits (${detail})`);
}

/**
 * Phone: country code + national number, digits only (or "+digits"). A leading "+" or "00"
 * ("011" in North America) marks an international number; otherwise the number is national to
 * `defaultCountry`: a trunk "0" is dropped and the calling code prefixed. A national-looking
 * number that already starts with the calling code is taken as international only when its
 * length rules out the national reading (US "15551234567" yes, a 10-digit "1…" no).
 */
export function normalisePhoneWith(raw: string, o: ResolvedNormaliseOptions): NormaliseResult | undefined {
  let s = raw.trim();
  if (s === "") return undefined;
  if (NON_ASCII.test(s)) s = s.normalize("NFKC");
  if (MAYBE_EXTENSION.test(s)) {
    s = s.replace(PHONE_EXTENSION, "");
    if (LETTERS.test(s)) return fail("phone-has-letters", "phone contains letters");
  }
  if (s.includes("(0)")) s = s.replace(TRUNK_IN_PARENS, "");
  let digits = s.replace(NOT_DIGIT, "");
  if (digits === "") return fail("phone-too-few-digits", "phone has no digits");
  const home = COUNTRIES[o.defaultCountry] as CountryRules;
  const nanp = home.callingCode === "1";
  let international = LEADING_PLUS.test(s);
  if (!international && !nanp && digits.startsWith("00")) [international, digits] = [true, digits.slice(2)];
  if (!international && nanp && digits.startsWith("011")) [international, digits] = [true, digits.slice(3)];

  let full: string;
  if (international) {
    const rules = rulesForInternationalNumber(digits);
    if (rules === undefined) {
      if (digits.length < E164_MIN_DIGITS) return fail("phone-too-few-digits", `phone has too few digits (${digits.length}; at least ${E164_MIN_DIGITS} with country code)`);
      if (digits.length > E164_MAX_DIGITS) return fail("phone-too-many-digits", `phone has too many digits (${digits.length}; E.164 allows ${E164_MAX_DIGITS})`);
      full = digits;
    } else {
      let nsn = digits.slice(rules.callingCode.length);
      // "+44 (0)20…" or "+44 020…": a trunk 0 never belongs after the country code.
      if (rules.trunkPrefix !== undefined && nsn.startsWith(rules.trunkPrefix)) nsn = nsn.slice(rules.trunkPrefix.length);
      const problem = checkNsn(nsn, rules, `+${rules.callingCode}`);
      if (problem !== undefined) return problem;
      full = rules.callingCode + nsn;
    }
  } else {
    let nsn: string;
    if (home.trunkPrefix !== undefined && digits.startsWith(home.trunkPrefix)) nsn = digits.slice(home.trunkPrefix.length);
    else if (
      digits.startsWith(home.callingCode) &&
      nsnLengthFits(digits.length - home.callingCode.length, home) &&
      !nsnLengthFits(digits.length, home)
    ) nsn = digits.slice(home.callingCode.length);
    else nsn = digits;
    const problem = checkNsn(nsn, home, o.defaultCountry);
    if (problem !== undefined) return problem;
    full = home.callingCode + nsn;
  }
  return ok(o.keepPlusInPhone ? `+${full}` : full);
}

const ISO_SUBDIVISION = /^([a-z]{2})-([a-z0-9]{1,3})$/i;
const SUBDIVISION_CODE = /^[a-z0-9]{1,3}$/;

/**
 * State: a subdivision code. US/CA: a USPS state or Canadian province code, or (with
 * `mapStateNames`) its full name; elsewhere any ISO 3166-2 suffix (1–3 letters or digits).
 * "US-NY" is accepted when the prefix is `defaultCountry`.
 */
export function normaliseStateWith(raw: string, o: ResolvedNormaliseOptions): NormaliseResult | undefined {
  const trimmed = raw.trim();
  if (trimmed === "") return undefined;
  const iso = ISO_SUBDIVISION.exec(trimmed);
  const local = iso?.[1]?.toUpperCase() === o.defaultCountry && iso[2] !== undefined ? iso[2] : trimmed;
  // A code is ASCII; accents matter only for looking up a name ("Québec"), so they fold in every mode.
  const letters = keptAscii(local, "fold", ALNUM_KEEP, NOT_ALNUM);
  let code: string | undefined;
  if (o.defaultCountry === "US" || o.defaultCountry === "CA") {
    code = letters.length === 2 || o.mapStateNames ? northAmericanSubdivisionCode(letters) : undefined;
    if (code === undefined) return fail("state-not-a-code", "state is not a US state or Canadian province code");
  } else {
    if (!SUBDIVISION_CODE.test(letters)) return fail("state-not-a-code", "state is not a subdivision code (1 to 3 letters or digits)");
    code = letters;
  }
  return ok(o.stateCase === "upper" ? code.toUpperCase() : code);
}

/** Postal code: lowercase alphanumerics, validated and shortened per `defaultCountry` (US ZIP+4 → ZIP5). */
export function normalisePostalCodeWith(raw: string, o: ResolvedNormaliseOptions): NormaliseResult | undefined {
  const trimmed = raw.trim();
  if (trimmed === "") return undefined;
  const s = keptAscii(trimmed, o.nonAsciiLetters, ALNUM_KEEP, NOT_ALNUM);
  const rule = COUNTRIES[o.defaultCountry].postal;
  if (!rule.pattern.test(s)) {
    const lostZero = o.defaultCountry === "US" && /^(\d{4}|\d{8})$/.test(s) ? " (a leading zero lost in a spreadsheet?)" : "";
    return fail("postal-code-invalid", `postal code is not ${rule.expected} for ${o.defaultCountry}${lostZero}`);
  }
  return ok("keep" in rule ? s.slice(0, rule.keep) : s);
}

const TEXT_LABELS: Readonly<Record<"firstName" | "lastName" | "address" | "city", string>> = {
  firstName: "first name",
  lastName: "last name",
  address: "address",
  city: "city",
};

/** Normalises one field with resolved options (the hot path: no option handling per call). */
export function normaliseFieldWith(field: PiiField, raw: string, o: ResolvedNormaliseOptions): NormaliseResult | undefined {
  switch (field) {
    case "email":
      return normaliseEmailWith(raw, o);
    case "phone":
      return normalisePhoneWith(raw, o);
    case "state":
      return normaliseStateWith(raw, o);
    case "postalCode":
      return normalisePostalCodeWith(raw, o);
    default:
      return normaliseTextWith(raw, o, TEXT_LABELS[field]);
  }
}

/** Normalises one field; see the per-field functions for the rules. */
export function normaliseField(field: PiiField, raw: string, options?: NormaliseOptions): NormaliseResult | undefined {
  return normaliseFieldWith(field, raw, resolveNormaliseOptions(options));
}

export const normaliseEmail = (raw: string, options?: NormaliseOptions) => normaliseField("email", raw, options);
export const normalisePhone = (raw: string, options?: NormaliseOptions) => normaliseField("phone", raw, options);
export const normaliseFirstName = (raw: string, options?: NormaliseOptions) => normaliseField("firstName", raw, options);
export const normaliseLastName = (raw: string, options?: NormaliseOptions) => normaliseField("lastName", raw, options);
export const normaliseAddress = (raw: string, options?: NormaliseOptions) => normaliseField("address", raw, options);
export const normaliseCity = (raw: string, options?: NormaliseOptions) => normaliseField("city", raw, options);
export const normaliseState = (raw: string, options?: NormaliseOptions) => normaliseField("state", raw, options);
export const normalisePostalCode = (raw: string, options?: NormaliseOptions) => normaliseField("postalCode", raw, options);
