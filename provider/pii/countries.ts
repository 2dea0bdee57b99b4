/**
 * Per-country facts used by the phone and postal-code normalisers. Covers the countries where
 * Amazon DSP operates; `defaultCountry` must be one of these so that no number is guessed silently.
 * Sources: ITU-T E.164 assignments and national numbering plans (lengths are of the national
 * significant number, i.e. without country code and without trunk prefix).
 */

/** How a postal code is validated and shortened. `digits`: only digits allowed. */
export interface PostalRule {
  /** Regular expression the normalised (lowercase alphanumeric) code must match. */
  readonly pattern: RegExp;
  /** Human description for error messages, e.g. "5 digits". */
  readonly expected: string;
  /** Keep only this many leading characters (US ZIP+4 → ZIP5). */
  readonly keep?: number;
}

export interface CountryRules {
  /** E.164 country calling code, digits only. */
  readonly callingCode: string;
  /** National trunk prefix dialled before the national number ("0" in most of Europe). */
  readonly trunkPrefix?: string;
  /** Allowed national significant number lengths, inclusive. */
  readonly nsnMin: number;
  readonly nsnMax: number;
  readonly postal: PostalRule;
}

const fiveDigits: PostalRule = { pattern: /^\d{5}$/, expected: "5 digits" };

export const COUNTRIES = {
  US: { callingCode: "1", nsnMin: 10, nsnMax: 10, postal: { pattern: /^(\d{5}|\d{9})$/, expected: "5 digits (or ZIP+4)", keep: 5 } },
  CA: { callingCode: "1", nsnMin: 10, nsnMax: 10, postal: { pattern: /^[a-z]\d[a-z]\d[a-z]\d$/, expected: "6 characters like A1A1A1" } },
  MX: { callingCode: "52", nsnMin: 10, nsnMax: 10, postal: fiveDigits },
  BR: { callingCode: "55", trunkPrefix: "0", nsnMin: 10, nsnMax: 11, postal: { pattern: /^\d{8}$/, expected: "8 digits" } },
  GB: {
    callingCode: "44",
    trunkPrefix: "0",
    nsnMin: 9,
    nsnMax: 10,
    postal: { pattern: /^[a-z]{1,2}\d[a-z\d]?\d[a-z]{2}$/, expected: "5 to 7 characters like SW1A1AA" },
  },
  DE: { callingCode: "49", trunkPrefix: "0", nsnMin: 6, nsnMax: 13, postal: fiveDigits },
  FR: { callingCode: "33", trunkPrefix: "0", nsnMin: 9, nsnMax: 9, postal: fiveDigits },
  IT: { callingCode: "39", nsnMin: 6, nsnMax: 11, postal: fiveDigits },
  ES: { callingCode: "34", nsnMin: 9, nsnMax: 9, postal: fiveDigits },
  NL: { callingCode: "31", trunkPrefix: "0", nsnMin: 9, nsnMax: 9, postal: { pattern: /^\d{4}[a-z]{2}$/, expected: "4 digits and 2 letters" } },
  BE: { callingCode: "32", trunkPrefix: "0", nsnMin: 8, nsnMax: 9, postal: { pattern: /^\d{4}$/, expected: "4 digits" } },
  SE: { callingCode: "46", trunkPrefix: "0", nsnMin: 7, nsnMax: 10, postal: fiveDigits },
  PL: { callingCode: "48", nsnMin: 9, nsnMax: 9, postal: fiveDigits },
  TR: { callingCode: "90", trunkPrefix: "0", nsnMin: 10, nsnMax: 10, postal: fiveDigits },
  AE: { callingCode: "971", trunkPrefix: "0", nsnMin: 8, nsnMax: 9, postal: { pattern: /^[a-z\d]{1,10}$/, expected: "letters or digits" } },
  SA: { callingCode: "966", trunkPrefix: "0", nsnMin: 8, nsnMax: 9, postal: fiveDigits },
  EG: { callingCode: "20", trunkPrefix: "0", nsnMin: 8, nsnMax: 10, postal: fiveDigits },
  IN: { callingCode: "91", trunkPrefix: "0", nsnMin: 10, nsnMax: 10, postal: { pattern: /^\d{6}$/, expected: "6 digits" } },
  JP: { callingCode: "81", trunkPrefix: "0", nsnMin: 9, nsnMax: 10, postal: { pattern: /^\d{7}$/, expected: "7 digits" } },
  AU: { callingCode: "61", trunkPrefix: "0", nsnMin: 9, nsnMax: 9, postal: { pattern: /^\d{4}$/, expected: "4 digits" } },
  SG: { callingCode: "65", nsnMin: 8, nsnMax: 8, postal: { pattern: /^\d{6}$/, expected: "6 digits" } },
} as const satisfies Record<string, CountryRules>;

/** ISO 3166-1 alpha-2 codes accepted as `defaultCountry`. */
export type CountryCode = keyof typeof COUNTRIES;

export const COUNTRY_CODES = Object.keys(COUNTRIES) as CountryCode[];

export function isCountryCode(value: string): value is CountryCode {
  return Object.prototype.hasOwnProperty.call(COUNTRIES, value);
}

/** Calling codes are prefix-free (E.164), so the first match is the only match. */
const BY_CALLING_CODE: ReadonlyArray<CountryRules> = Object.values(COUNTRIES);

/** Rules of the known country whose calling code starts `digits`, if any. */
export function rulesForInternationalNumber(digits: string): CountryRules | undefined {
  return BY_CALLING_CODE.find((rules) => digits.startsWith(rules.callingCode));
}
