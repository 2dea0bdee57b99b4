import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import fc from "fast-check";
import {
  normaliseField,
  resolveNormaliseOptions,
  sha256Hex,
  type NormaliseFailureCode,
  type NormaliseOptions,
  type PiiField,
} from "../../../provider/pii";
import { ALNUM_KEEP, EMAIL_KEEP, EMAIL_KEEP_UNDERSCORE, keepAsciiLower, toAsciiLower, toAsciiLowerReference, type AsciiKeep, type NonAsciiLetters } from "../../../provider/pii/normalise";

/** Reference hash computed independently of the code under test. */
const referenceSha256 = (value: string): string => crypto.createHash("sha256").update(value, "utf8").digest("hex");

type Vector =
  | { field: PiiField; input: string; options?: NormaliseOptions; normalised: string }
  | { field: PiiField; input: string; options?: NormaliseOptions; code: NormaliseFailureCode; reason: string }
  | { field: PiiField; input: string; options?: NormaliseOptions; absent: true };

const vectors: Vector[] = [
  // email: trim, lowercase, keep [a-z0-9.@-]
  { field: "email", input: "  Jane.Doe@Example.COM ", normalised: "jane.doe@example.com" },
  { field: "email", input: "jane+ads@example.com", normalised: "janeads@example.com" },
  { field: "email", input: "jane_doe@example.com", normalised: "janedoe@example.com" },
  { field: "email", input: "jane_doe@example.com", options: { keepUnderscoreInEmail: true }, normalised: "jane_doe@example.com" },
  { field: "email", input: "José.Núñez@Example.com", normalised: "jos.nez@example.com" },
  { field: "email", input: "José.Núñez@Example.com", options: { nonAsciiLetters: "fold" }, normalised: "jose.nunez@example.com" },
  { field: "email", input: "José@example.com", options: { nonAsciiLetters: "drop" }, normalised: "jos@example.com" },
  { field: "email", input: "ＪＡＮＥ@example.com", normalised: "jane@example.com" },
  { field: "email", input: "mary-kate@sub.example.co.uk", normalised: "mary-kate@sub.example.co.uk" },
  { field: "email", input: "jane doe@example.com", normalised: "janedoe@example.com" },
  { field: "email", input: "   ", absent: true },
  { field: "email", input: "", absent: true },
  { field: "email", input: "jane.example.com", code: "email-no-at", reason: "email has no @" },
  { field: "email", input: "jane@", code: "email-no-domain", reason: "email has no domain after the @" },
  { field: "email", input: "@example.com", code: "email-no-local-part", reason: "email has no Latin letters or digits before the @" },
  { field: "email", input: "李@example.com", code: "email-no-local-part", reason: "email has no Latin letters or digits before the @" },
  { field: "email", input: "a@b@example.com", code: "email-several-at", reason: "email has more than one @" },
  { field: "email", input: "jane@localhost", code: "email-domain-no-dot", reason: "email domain has no dot (expected like example.com)" },

  // phone: country code + national number, digits only
  { field: "phone", input: "(212) 555-0123", normalised: "12125550123" },
  { field: "phone", input: "212.555.0123", normalised: "12125550123" },
  { field: "phone", input: "+1 212 555 0123", normalised: "12125550123" },
  { field: "phone", input: "1-212-555-0123", normalised: "12125550123" },
  { field: "phone", input: "011 44 20 7946 0123", normalised: "442079460123" },
  { field: "phone", input: "+1 (212) 555-0123", options: { keepPlusInPhone: true }, normalised: "+12125550123" },
  { field: "phone", input: "212-555-0123 ext. 45", normalised: "12125550123" },
  { field: "phone", input: "212-555-0123 x45", normalised: "12125550123" },
  { field: "phone", input: "＋１ ２１２ ５５５ ０１２３", normalised: "12125550123" },
  { field: "phone", input: "+44 (0)20 7946 0123", normalised: "442079460123" },
  { field: "phone", input: "+44 020 7946 0123", normalised: "442079460123" },
  { field: "phone", input: "020 7946 0123", options: { defaultCountry: "GB" }, normalised: "442079460123" },
  { field: "phone", input: "0044 20 7946 0123", options: { defaultCountry: "GB" }, normalised: "442079460123" },
  { field: "phone", input: "442079460123", options: { defaultCountry: "GB" }, normalised: "442079460123" },
  { field: "phone", input: "07700 900123", options: { defaultCountry: "GB" }, normalised: "447700900123" },
  { field: "phone", input: "030 1234567", options: { defaultCountry: "DE" }, normalised: "49301234567" },
  { field: "phone", input: "+49 (0)30 1234567", normalised: "49301234567" },
  { field: "phone", input: "06 12 34 56 78", options: { defaultCountry: "FR" }, normalised: "33612345678" },
  { field: "phone", input: "090-1234-5678", options: { defaultCountry: "JP" }, normalised: "819012345678" },
  { field: "phone", input: "06 1234 5678", options: { defaultCountry: "IT" }, normalised: "390612345678" },
  { field: "phone", input: "+61 2 9876 5432", normalised: "61298765432" },
  { field: "phone", input: "+353 1 234 5678", normalised: "35312345678" },
  { field: "phone", input: "", absent: true },
  { field: "phone", input: "555-0123", code: "phone-too-few-digits", reason: "phone has too few digits (7 digits after the country code; a US number has 10)" },
  { field: "phone", input: "212 555 01234", code: "phone-too-many-digits", reason: "phone has too many digits (11 digits after the country code; a US number has 10)" },
  { field: "phone", input: "+44 20 7946", code: "phone-too-few-digits", reason: "phone has too few digits (6 digits after the country code; a +44 number has 9 to 10)" },
  { field: "phone", input: "+999 12", code: "phone-too-few-digits", reason: "phone has too few digits (5; at least 7 with country code)" },
  { field: "phone", input: "+999 1234 5678 9012 34", code: "phone-too-many-digits", reason: "phone has too many digits (17; E.164 allows 15)" },
  { field: "phone", input: "+81 0 0000 0000", code: "phone-invalid", reason: "phone is not a valid +81 number (the national number cannot start with 0)" },
  { field: "phone", input: "0030 2101234567", options: { defaultCountry: "DE" }, normalised: "302101234567" },
  { field: "phone", input: "+49 00 30 1234567", code: "phone-invalid", reason: "phone is not a valid +49 number (the national number cannot start with 0)" },
  { field: "phone", input: "(055) 555-0123", code: "phone-invalid", reason: "phone is not a valid US number (area codes start with 2-9)" },
  { field: "phone", input: "1-800-FLOWERS", code: "phone-has-letters", reason: "phone contains letters" },
  { field: "phone", input: "n/a", code: "phone-has-letters", reason: "phone contains letters" },
  { field: "phone", input: "--", code: "phone-too-few-digits", reason: "phone has no digits" },

  // names, address, city: keep [a-z0-9]
  { field: "firstName", input: "  Jane ", normalised: "jane" },
  { field: "firstName", input: "Mary-Kate", normalised: "marykate" },
  { field: "lastName", input: "O'Brien", normalised: "obrien" },
  { field: "lastName", input: "Müller", normalised: "mueller" },
  { field: "lastName", input: "MÜLLER", normalised: "mueller" },
  { field: "lastName", input: "Müller", options: { nonAsciiLetters: "fold" }, normalised: "muller" },
  { field: "lastName", input: "Müller", options: { nonAsciiLetters: "expand-german" }, normalised: "mueller" },
  { field: "lastName", input: "Müller", options: { nonAsciiLetters: "drop" }, normalised: "mller" },
  { field: "lastName", input: "Straße", normalised: "strasse" },
  { field: "lastName", input: "STRAẞE", normalised: "strasse" },
  { field: "lastName", input: "STRASSE", normalised: "strasse" },
  { field: "lastName", input: "Straße", options: { nonAsciiLetters: "drop" }, normalised: "strae" },
  { field: "firstName", input: "Søren", normalised: "soren" },
  { field: "firstName", input: "Ærøskøbing", normalised: "aeroskobing" },
  { field: "firstName", input: "Jörg", normalised: "joerg" },
  // Letters outside the table are removed with the punctuation, as SEG, R and AWS all do.
  { field: "lastName", input: "Łukasz", normalised: "ukasz" },
  { field: "lastName", input: "Łukasz", options: { nonAsciiLetters: "fold" }, normalised: "lukasz" },
  { field: "firstName", input: "İbrahim", normalised: "ibrahim" },
  { field: "firstName", input: "Zoë", normalised: "zo" },
  { field: "firstName", input: "Zoë", options: { nonAsciiLetters: "fold" }, normalised: "zoe" },
  { field: "firstName", input: "Zoe\u0308", normalised: "zo" }, // decomposed ë: NFKC first, so the same as Zoë
  { field: "lastName", input: "Mu\u0308ller", normalised: "mueller" },
  { field: "firstName", input: "Ｊａｎｅ", normalised: "jane" },
  { field: "firstName", input: "山田", code: "no-latin-letters-or-digits", reason: "first name has no Latin letters or digits" },
  { field: "lastName", input: "---", code: "no-latin-letters-or-digits", reason: "last name has no Latin letters or digits" },
  { field: "address", input: "123 Main St., Apt #4", normalised: "123mainstapt4" },
  { field: "address", input: "123 Main St.", normalised: "123mainst" },
  { field: "address", input: "Calle Mayor 5, 2º", normalised: "callemayor52o" },
  { field: "city", input: "São Paulo", normalised: "sopaulo" },
  { field: "city", input: "São Paulo", options: { nonAsciiLetters: "fold" }, normalised: "saopaulo" },
  { field: "city", input: "Göteborg", normalised: "goeteborg" },
  { field: "city", input: "  New York City ", normalised: "newyorkcity" },
  { field: "city", input: "!!!", code: "no-latin-letters-or-digits", reason: "city has no Latin letters or digits" },

  // state: two-letter code
  { field: "state", input: "NY", normalised: "ny" },
  { field: "state", input: " ny ", normalised: "ny" },
  { field: "state", input: "N.Y.", normalised: "ny" },
  { field: "state", input: "New York", normalised: "ny" },
  { field: "state", input: "US-NY", normalised: "ny" },
  { field: "state", input: "Québec", normalised: "qc" },
  { field: "state", input: "Québec", options: { nonAsciiLetters: "drop" }, normalised: "qc" },
  { field: "state", input: "NY", options: { stateCase: "upper" }, normalised: "NY" },
  { field: "state", input: "New York", options: { mapStateNames: false }, code: "state-not-a-code", reason: "state is not a US state or Canadian province code" },
  { field: "state", input: "XX", code: "state-not-a-code", reason: "state is not a US state or Canadian province code" },
  { field: "state", input: "Narnia", code: "state-not-a-code", reason: "state is not a US state or Canadian province code" },
  { field: "state", input: "BY", options: { defaultCountry: "DE" }, normalised: "by" },
  { field: "state", input: "DE-BY", options: { defaultCountry: "DE" }, normalised: "by" },
  { field: "state", input: "Bavaria", options: { defaultCountry: "DE" }, code: "state-not-a-code", reason: "state is not a subdivision code (1 to 3 letters or digits)" },

  // postal code: per defaultCountry
  { field: "postalCode", input: "02134", normalised: "02134" },
  { field: "postalCode", input: "02134-1234", normalised: "02134" },
  { field: "postalCode", input: " 021341234 ", normalised: "02134" },
  { field: "postalCode", input: "2134", code: "postal-code-invalid", reason: "postal code is not 5 digits (or ZIP+4) for US (a leading zero lost in a spreadsheet?)" },
  { field: "postalCode", input: "ABCDE", code: "postal-code-invalid", reason: "postal code is not 5 digits (or ZIP+4) for US" },
  { field: "postalCode", input: "K1A 0B1", options: { defaultCountry: "CA" }, normalised: "k1a0b1" },
  { field: "postalCode", input: "K1A", options: { defaultCountry: "CA" }, code: "postal-code-invalid", reason: "postal code is not 6 characters like A1A1A1 for CA" },
  { field: "postalCode", input: "SW1A 1AA", options: { defaultCountry: "GB" }, normalised: "sw1a1aa" },
  { field: "postalCode", input: "M1 1AE", options: { defaultCountry: "GB" }, normalised: "m11ae" },
  { field: "postalCode", input: "100-0001", options: { defaultCountry: "JP" }, normalised: "1000001" },
  { field: "postalCode", input: "１００－０００１", options: { defaultCountry: "JP" }, normalised: "1000001" },
  { field: "postalCode", input: "1012 AB", options: { defaultCountry: "NL" }, normalised: "1012ab" },
  { field: "postalCode", input: "560001", options: { defaultCountry: "IN" }, normalised: "560001" },
  { field: "postalCode", input: "10115", options: { defaultCountry: "DE" }, normalised: "10115" },
];

describe("pii/normalise: vector table", () => {
  for (const v of vectors) {
    const label = `${v.field} ${JSON.stringify(v.input)}${v.options ? ` ${JSON.stringify(v.options)}` : ""}`;
    if ("normalised" in v) {
      it(`${label} → ${JSON.stringify(v.normalised)} → sha256`, () => {
        const result = normaliseField(v.field, v.input, v.options);
        assert.deepEqual(result, { ok: true, value: v.normalised });
        assert.equal(sha256Hex(v.normalised), referenceSha256(v.normalised));
      });
    } else if ("code" in v) {
      it(`${label} fails: ${v.reason}`, () => {
        const result = normaliseField(v.field, v.input, v.options);
        assert.deepEqual(result, { ok: false, code: v.code, reason: v.reason });
      });
    } else {
      it(`${label} is absent`, () => assert.equal(normaliseField(v.field, v.input, v.options), undefined));
    }
  }
});

describe("pii/normalise: hashes verified with sha256sum", () => {
  // Digests computed once outside Node: printf '%s' <normalised> | sha256sum
  const known: [PiiField, string, string][] = [
    ["email", "  Jane.Doe@Example.COM ", "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"],
    ["phone", "(212) 555-0123", "53ed517fa8e01227bd3ebdc60c78b3f7a7f3a199decdf492af61584ed4ac608d"],
    ["firstName", " JANE ", "81f8f6dde88365f3928796ec7aa53f72820b06db8664f5fe76a7eb13e24546a2"],
    ["address", "123 Main St.", "4f43a3296ce825b21a7925513650a3a92bceff17d2325d8bbf548a166b53f71a"],
    ["state", "New York", "1b06e2003f8420d6fa42badd8f77ec0f706b976b7a48b13c567dc5a559681683"],
    ["postalCode", "02134-1234", "1f75e2dac5b82521f112e293235aaeeb5dad684c5ede8469c1ec015b22bba44c"],
    // Non-ASCII letters, default ("aws"): the table of docs/normalisation.md.
    ["lastName", "Müller", "ecbd50e7023d1e4524750485ae7612a052b9b14a9591a15430f1503c302813d2"], // mueller
    ["lastName", "Straße", "16d96952087774fee069b7585d3991b24d90c181c09b2129b4908c35baa7f0c0"], // strasse
    ["firstName", "Jörg", "56f802d50f72640595e9b894180ead6d029a2953eb791a21e1b4c6e09a3fce12"], // joerg
    ["lastName", "Løkke", "e9543ebc1b706c366d5944f5b212f9570d7ab9fd578ed696a999d6b33d1e86a6"], // lokke
    ["city", "Ærøskøbing", "8afab7734bfd8a3302ad0af0ee13f1effeb7a66a345bdbdf84aee2850233a58c"], // aeroskobing
    ["city", "Göteborg", "c7685b9e1d0fb5da38aee5f6d54294c24cdb2048da669dab3a596039818ac7ce"], // goeteborg
    ["address", "123 Hauptstraße", "c08a980901097d0b6990070d3416665816203db89b63986847f2e41464dc1efa"], // 123hauptstrasse
    ["firstName", "José", "f854b2aeb789d616b26acff4df9ff7741d09d5f7a63add238201880e5b10bf2b"], // jos
    ["city", "São Paulo", "4a287883aa51936209f313e4c62d9b38b41b7df896dfdff33b98dc1a86607668"], // sopaulo
    ["firstName", "Zoë", "ed4771b3e3a8fe6f0a67cf467cee229f1ef032354c734a7d2241443ffe780660"], // zo
  ];
  for (const [field, input, digest] of known) {
    it(`${field} ${JSON.stringify(input)}`, () => {
      const result = normaliseField(field, input);
      assert.ok(result?.ok);
      assert.equal(sha256Hex(result.value), digest);
    });
  }
  it("lastName Müller with the explicit older modes: fold, drop", () => {
    const fold = normaliseField("lastName", "Müller", { nonAsciiLetters: "fold" });
    const drop = normaliseField("lastName", "Müller", { nonAsciiLetters: "drop" });
    assert.ok(fold?.ok && drop?.ok);
    assert.equal(sha256Hex(fold.value), "a8b1fc83cb92ad90b731937cf76116ef6c1aba436f8d0d0ec673e8d34022aca8"); // muller
    assert.equal(sha256Hex(drop.value), "e0d1fc7fccfc0137061cead6c34c131f225efb45474afdd61310845a108fbc9a"); // mller
  });
  it("GB postcode with defaultCountry GB", () => {
    const result = normaliseField("postalCode", "SW1A 1AA", { defaultCountry: "GB" });
    assert.ok(result?.ok);
    assert.equal(sha256Hex(result.value), "830e1d4b9838bab1f5c2acdb23e0b502ff13a9832c4632e8d67a1d43d3b7f614");
  });
});

describe("pii/normalise: properties", () => {
  const fields: PiiField[] = ["email", "phone", "firstName", "lastName", "address", "city", "state", "postalCode"];
  // Random text rarely forms a valid value, so mix in shapes that do.
  const input = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.stringMatching(/^ ?\+?[0-9 ().-]{7,18}$/),
    fc.stringMatching(/^(\+1 |1-)?\(?[2-9][0-9]{2}\)? ?[0-9]{3}[-. ]?[0-9]{4}$/),
    fc.stringMatching(/^(\+|00)(44|49|33|81|61) ?(\(0\))? ?[0-9]{2,4} ?[0-9]{3,4} ?[0-9]{2,4}$/),
    fc.stringMatching(/^[A-Za-z._+-]{1,12}@[a-z]{1,8}\.(com|org)$/),
    fc.stringMatching(/^[0-9]{5}(-[0-9]{4})?$/),
    fc.constantFrom("NY", "New York", "n.y.", " ca ", "Québec", "Müller", "Straße", "Søren", "Ｊａｎｅ"),
  );

  it("is idempotent: normalising a normalised value changes nothing", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), input, (field, raw) => {
        // Digits-only phones drop the "+" that marks a foreign number, so only the E.164 form can be re-read.
        const options: NormaliseOptions = field === "phone" ? { keepPlusInPhone: true } : {};
        const once = normaliseField(field, raw, options);
        if (once === undefined || !once.ok) return;
        assert.deepEqual(normaliseField(field, once.value, options), once);
      }),
      { numRuns: 3000 },
    );
  });

  it("regression: +81 followed by zeros is rejected, not shortened on every pass", () => {
    assert.equal(normaliseField("phone", "+810000000000", { keepPlusInPhone: true })?.ok, false);
  });

  it("output contains only characters Amazon's rules allow", () => {
    const allowed: Record<PiiField, RegExp> = {
      email: /^[a-z0-9.@-]+$/,
      phone: /^[0-9]{7,15}$/,
      firstName: /^[a-z0-9]+$/,
      lastName: /^[a-z0-9]+$/,
      address: /^[a-z0-9]+$/,
      city: /^[a-z0-9]+$/,
      state: /^[a-z]{2}$/,
      postalCode: /^[0-9]{5}$/,
    };
    fc.assert(
      fc.property(fc.constantFrom(...fields), input, (field, raw) => {
        const result = normaliseField(field, raw);
        if (result?.ok === true) assert.match(result.value, allowed[field]);
      }),
      { numRuns: 3000 },
    );
  });

  it("failure reasons never contain the input", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.string({ minLength: 4, maxLength: 30 }), (field, raw) => {
        const result = normaliseField(field, `${raw}Zq9`);
        if (result !== undefined && !result.ok) assert.ok(!result.reason.includes(`${raw}Zq9`.trim()));
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects an unknown defaultCountry as a configuration error", () => {
    assert.throws(() => resolveNormaliseOptions({ defaultCountry: "XX" as never }), /defaultCountry must be one of US, CA/);
  });
});

describe("pii/normalise: fast ASCII folding equals the normalize()-based reference", () => {
  const modes: NonAsciiLetters[] = ["aws", "fold", "expand-german", "drop"];
  const char = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0x24f }),
    fc.integer({ min: 0x250, max: 0x36f }), // IPA, spacing modifiers, combining marks
    fc.integer({ min: 0xff01, max: 0xff5e }), // full-width forms
    fc.constantFrom(0x130, 0x3a3, 0x1e9e, 0x4e00, 0x0301, 0x0308),
  ).map((code) => String.fromCharCode(code));

  it("on random strings, in every mode", () => {
    fc.assert(
      fc.property(fc.array(char, { maxLength: 12 }).map((cs) => cs.join("")), fc.constantFrom(...modes), (value, mode) => {
        assert.equal(toAsciiLower(value, mode), toAsciiLowerReference(value, mode));
      }),
      { numRuns: 3000 },
    );
  });

  it("on every Latin character pair next to ASCII, in every mode", () => {
    for (const mode of modes) {
      for (let a = 0x80; a < 0x250; a += 7) {
        for (let b = 0x80; b < 0x250; b++) {
          const value = `X${String.fromCharCode(a)}${String.fromCharCode(b)}y`;
          assert.equal(toAsciiLower(value, mode), toAsciiLowerReference(value, mode), `U+${a.toString(16)} U+${b.toString(16)} (${mode})`);
        }
      }
    }
  });
});

describe("pii/normalise: the one-pass ASCII path equals lowercasing, folding and a regular expression", () => {
  const modes: NonAsciiLetters[] = ["aws", "fold", "expand-german", "drop"];
  /** Each keep table with the rule it stands for, spelled as the normalisers spelled it. */
  const keeps: Array<{ name: string; keep: AsciiKeep; removed: RegExp }> = [
    { name: "text", keep: ALNUM_KEEP, removed: /[^a-z0-9]/g },
    { name: "email", keep: EMAIL_KEEP, removed: /[^a-z0-9.@-]/g },
    { name: "email keeping _", keep: EMAIL_KEEP_UNDERSCORE, removed: /[^a-z0-9._@-]/g },
  ];
  const general = (value: string, mode: NonAsciiLetters, removed: RegExp): string => toAsciiLower(value, mode).replace(removed, "");
  // ASCII of every kind (controls, whitespace, punctuation, upper case), characters that lowercase
  // to ASCII (Kelvin sign) or to more than one character (dotted capital I), Latin letters, marks.
  const char = fc.oneof(
    fc.integer({ min: 0x00, max: 0x7f }),
    fc.integer({ min: 0x41, max: 0x5a }),
    fc.constantFrom(0x212a, 0x212b, 0x130, 0xa0, 0x2028, 0xfeff, 0xdf, 0xe9, 0x141, 0x301, 0xff21, 0x4e00),
  ).map((code) => String.fromCharCode(code));
  const value = fc.oneof(fc.array(char, { maxLength: 16 }).map((cs) => cs.join("")), fc.string({ maxLength: 16, unit: "binary" }));

  it("gives the general path's result wherever it answers, on arbitrary Unicode, in every mode", () => {
    fc.assert(
      fc.property(value, fc.constantFrom(...modes), fc.constantFrom(...keeps), (input, mode, { keep, removed }) => {
        const fast = keepAsciiLower(input, keep);
        if (fast !== undefined) assert.equal(fast, general(input, mode, removed));
      }),
      { numRuns: 5000 },
    );
  });

  it("answers for every value that lowercases to ASCII, and only for those", () => {
    fc.assert(
      fc.property(value, fc.constantFrom(...keeps), (input, { keep }) => {
        // eslint-disable-next-line no-control-regex -- the ASCII range is the point
        assert.equal(keepAsciiLower(input, keep) !== undefined, /^[\x00-\x7f]*$/.test(input.toLowerCase()));
      }),
      { numRuns: 3000 },
    );
  });

  it("each field's table keeps exactly its rule's characters", () => {
    for (const { name, keep, removed } of keeps) {
      for (let code = 0; code < 0x80; code++) {
        const c = String.fromCharCode(code);
        assert.equal(keepAsciiLower(c, keep), general(c, "aws", removed), `${name}: U+${code.toString(16).padStart(4, "0")}`);
      }
    }
  });
});
