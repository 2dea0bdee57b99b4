/**
 * The eight PII fields of Amazon's hashed-record schema (POST /dp/records/hashed, `HashedRecord`),
 * in the one canonical order used everywhere: JSON bodies, hashed CSV columns, row digests.
 */
export const PII_FIELDS = ["email", "phone", "firstName", "lastName", "address", "city", "state", "postalCode"] as const;

export type PiiField = (typeof PII_FIELDS)[number];

/** Column names of Amazon's CSV template, per field (the template calls the postal code `zip`). */
export const TEMPLATE_COLUMNS: Readonly<Record<PiiField, string>> = {
  email: "email",
  phone: "phone",
  firstName: "first_name",
  lastName: "last_name",
  address: "address",
  city: "city",
  state: "state",
  postalCode: "zip",
};

/** Suffix of pre-hashed columns, e.g. `email_sha256`. */
export const HASHED_COLUMN_SUFFIX = "_sha256";

/** Accepted names of the optional id column (matched case-insensitively after trimming). */
export { ID_COLUMNS } from "../api-vocabulary";

/** SHA-256 lowercase hex per present field; absent fields were empty in the input. */
export type HashedFields = { -readonly [F in PiiField]?: string };

/** One normalised, hashed input row, as the serialisers need it. Holds no raw PII. */
export interface HashedRow {
  /** Amazon `externalId` (`^[0-9a-zA-Z_-]{1,128}$`): from the id column or derived, see external-id.ts. */
  readonly externalId: string;
  readonly hashed: HashedFields;
  /** 1-based row number in the source file, the header being row 1. */
  readonly row: number;
}

/** A {@link HashedRow} plus its digest, as readHashedRecords yields it. */
export interface HashedRecord extends HashedRow {
  /** Short digest of the field hashes: changes iff a hash changes (see row-digest.ts). */
  readonly rowDigest: string;
}
