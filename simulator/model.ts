/** Domain types shared by the store, the routes and persistence. Ids are decimal strings. */

export const RECORD_TYPES = ["COOKIE", "MAID", "EXTERNAL_USER_ID"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const CURRENCIES = ["USD", "CAD", "JPY", "GBP", "EUR", "AUD", "AED", "SAR", "MXN", "INR", "SEK", "TRY", "BRL"] as const;
export type Currency = (typeof CURRENCIES)[number];

export const HASHED_FIELDS = ["email", "phone", "firstName", "lastName", "address", "city", "state", "postalCode"] as const;
export type HashedField = (typeof HASHED_FIELDS)[number];

export interface AudienceFee {
  cpmCents: number;
  currency: Currency;
}

/** One audience as the simulator stores it. `id` and `advertiserId` are int64 decimal strings. */
export interface StoredAudience {
  id: string;
  clientId: string;
  name: string;
  description: string;
  advertiserId: string;
  type: "DATA_PROVIDER";
  externalAudienceId: string;
  ttl: number;
  audienceFees: AudienceFee[];
  dataSourceCountry: string[];
  createdAt: number;
  updatedAt: number;
}

export interface AudienceSize {
  receivedRecordSize: number;
  matchedRecordSize: number;
  matchRate: number;
}

/** One decoded patch: add or remove one record to or from the listed audiences. */
export interface MembershipOp {
  add: boolean;
  type: RecordType;
  value: string;
  audienceIds: readonly string[];
}

/** What the simulator keeps of one uploaded externalId: a digest per PII set, never the hashes. */
export interface HashedRecordSummary {
  /** SHA-256 (hex, first 32 chars) of each PII set's canonical form. */
  digests: string[];
  /** Field names present in any set, sorted. */
  fields: HashedField[];
  updatedAt: number;
}

export interface DeletionUser {
  type: RecordType;
  value: string;
  advertiserId?: string;
  consentTime?: string;
}

export interface DeletionRequest {
  requestId: string;
  clientId: string;
  t: number;
  users: DeletionUser[];
}

export interface RequestLogEntry {
  seq: number;
  /** ms from the simulator clock */
  t: number;
  method: string;
  path: string;
  /** 0 when the connection was dropped by a fault */
  status: number;
  requestId: string;
  /** body bytes received */
  bytes: number;
  clientId?: string;
  patches?: number;
  /** Of `patches`, the add and the remove ops (PATCH /v2/dp/audience). */
  adds?: number;
  removes?: number;
  users?: number;
  records?: number;
  /** fault that decided the answer, e.g. "429", "503", "drop", "applyThenFail:500" */
  fault?: string;
}
