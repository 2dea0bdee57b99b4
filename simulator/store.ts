/**
 * The simulator's state. It changes only through {@link Store.apply} with a {@link StateChange},
 * which is also what persistence logs and replays. Reads return copies.
 *
 * Membership is kept per audience and record type as a {@link ByteStringSet} of record values
 * (the compact direction: a record usually belongs to few audiences): ~45 B per 22-char cookie
 * id outside the JS heap. Measured for a 5,000,000-id initial sync: 28 MB of JS heap, ~310 MB
 * of typed arrays (data plus growth headroom), 550 MB RSS.
 */
import { ByteStringSet } from "./byte-string-set";
import type { MembershipGroup, StateChange } from "./changes";
import type { MatchModel } from "./match-model";
import {
  RECORD_TYPES,
  type AudienceSize,
  type DeletionRequest,
  type HashedRecordSummary,
  type RecordType,
  type RequestLogEntry,
  type StoredAudience,
} from "./model";
import type { PatchBatch } from "./patch-batch";
import { RequestLog } from "./request-log";

export type MemberCounts = Record<RecordType, number> & { total: number };
export type MemberLists = Record<RecordType, string[]>;

/** Read access for in-process tests and the admin API. */
export interface SimulatorStore {
  /** All audiences, oldest first. */
  listAudiences(): StoredAudience[];
  getAudience(id: string): StoredAudience | undefined;
  memberCounts(audienceId: string): MemberCounts | undefined;
  /** Members of one audience by record type, each list sorted. */
  members(audienceId: string): MemberLists | undefined;
  isMember(audienceId: string, type: RecordType, value: string): boolean;
  /** Ids of the audiences a record (`type`, `value`) belongs to, sorted. */
  audiencesOf(type: RecordType, value: string): string[];
  /** `metadata.audienceSize` as GET returns it (see README "Match model"). */
  audienceSize(audienceId: string): AudienceSize | undefined;
  /** Hashed-record summaries by externalId of one client, or of all clients when omitted. */
  records(clientId?: string): Map<string, HashedRecordSummary>;
  deletions(): DeletionRequest[];
  /** Request-log entries with `seq > since`. */
  requests(since?: number): RequestLogEntry[];
}

class AudienceMembers {
  /** In RECORD_TYPES order, so that a batch's type index picks the set. */
  readonly byIndex: [ByteStringSet, ByteStringSet, ByteStringSet] = [new ByteStringSet(), new ByteStringSet(), new ByteStringSet()];
  readonly sets: Record<RecordType, ByteStringSet> = { COOKIE: this.byIndex[0], MAID: this.byIndex[1], EXTERNAL_USER_ID: this.byIndex[2] };
  /** Matched COOKIE and MAID members, maintained on every add/remove so GET stays O(1) for them. */
  matched = 0;
  /** Bumped on every EXTERNAL_USER_ID change, to invalidate the cached external match count. */
  externalVersion = 0;
}

export interface StoreConfig {
  audienceIdBase: bigint;
  matchModel: MatchModel;
  requestLogLimit: number;
}

export class Store implements SimulatorStore {
  private audiences = new Map<string, StoredAudience>();
  private membership = new Map<string, AudienceMembers>();
  private recordsByClient = new Map<string, Map<string, HashedRecordSummary>>();
  private deletionList: DeletionRequest[] = [];
  private readonly requestLog: RequestLog;
  private highestId: bigint;
  private recordsVersion = 0;
  private externalMatchCache = new Map<string, { key: string; matched: number }>();

  constructor(private readonly config: StoreConfig) {
    this.requestLog = new RequestLog(config.requestLogLimit);
    this.highestId = config.audienceIdBase;
  }

  // ------------------------------------------------------------ mutation

  apply(change: StateChange): void {
    switch (change.k) {
      case "audience": {
        const a = change.a;
        this.audiences.set(a.id, a);
        if (!this.membership.has(a.id)) this.membership.set(a.id, new AudienceMembers());
        const n = BigInt(a.id);
        if (n > this.highestId) this.highestId = n;
        return;
      }
      case "members":
        for (const group of change.g) this.applyGroup(group);
        return;
      case "batch":
        this.applyBatch(change.b, change.ids);
        return;
      case "records": {
        const byId = this.clientRecords(change.c);
        for (const [externalId, digests, fields, updatedAt] of change.r) byId.set(externalId, { digests, fields, updatedAt });
        this.recordsVersion++;
        return;
      }
      case "records-delete": {
        const byId = this.clientRecords(change.c);
        for (const externalId of change.x) byId.delete(externalId);
        this.recordsVersion++;
        return;
      }
      case "deletion":
        this.deletionList.push(change.d);
        return;
      case "request":
        this.requestLog.append(change.e);
        return;
      case "request-seq":
        this.requestLog.continueAfter(change.n);
        return;
      case "reset":
        this.audiences.clear();
        this.membership.clear();
        this.recordsByClient.clear();
        this.deletionList = [];
        this.requestLog.clear();
        this.externalMatchCache.clear();
        this.highestId = this.config.audienceIdBase;
        this.recordsVersion++;
        return;
    }
  }

  private applyGroup([op, type, audienceIds, values]: MembershipGroup): void {
    const model = this.config.matchModel;
    const modelled = type !== "EXTERNAL_USER_ID";
    const modelType = type === "COOKIE" ? "COOKIE" : "MAID";
    for (const id of audienceIds) {
      const m = this.membership.get(id);
      if (!m) continue; // Amazon's async job ignores unknown audiences
      const set = m.sets[type];
      let matched = 0;
      if (op === "+") {
        for (const v of values) if (set.add(v) && modelled && model.matches(modelType, v)) matched++;
      } else {
        for (const v of values) if (set.delete(v) && modelled && model.matches(modelType, v)) matched--;
      }
      m.matched += matched;
      if (!modelled) m.externalVersion++;
    }
  }

  /** Like applyGroup, straight from the byte ranges of a decoded body. */
  private applyBatch(batch: PatchBatch, audienceIds: ReadonlyArray<readonly string[]>): void {
    const model = this.config.matchModel;
    const { bytes, valueStart, valueEnd, add, type } = batch;
    // Resolve each distinct id list once; consecutive ops share list objects.
    let lastIds: readonly string[] | undefined;
    let targets: AudienceMembers[] = [];
    for (let i = 0; i < batch.length; i++) {
      const ids = audienceIds[i] as readonly string[];
      if (ids !== lastIds) {
        lastIds = ids;
        targets = [];
        for (const id of ids) {
          const m = this.membership.get(id);
          if (m) targets.push(m);
        }
      }
      const t = type[i] as number;
      const start = valueStart[i] as number;
      const end = valueEnd[i] as number;
      const modelled = t !== 2;
      const modelType = t === 0 ? "COOKIE" : "MAID";
      for (const m of targets) {
        const set = m.byIndex[t as 0 | 1 | 2];
        if (add[i] === 1) {
          if (set.addBytes(bytes, start, end) && modelled && model.matchesBytes(modelType, bytes, start, end)) m.matched++;
        } else if (set.deleteBytes(bytes, start, end) && modelled && model.matchesBytes(modelType, bytes, start, end)) m.matched--;
        if (!modelled) m.externalVersion++;
      }
    }
  }

  private clientRecords(clientId: string): Map<string, HashedRecordSummary> {
    let byId = this.recordsByClient.get(clientId);
    if (!byId) this.recordsByClient.set(clientId, (byId = new Map()));
    return byId;
  }

  // ------------------------------------------------------------ queries used by routes

  /** Id the next created audience gets. */
  nextAudienceId(): string {
    return (this.highestId + 1n).toString();
  }

  findByExternalAudienceId(clientId: string, advertiserId: string, externalAudienceId: string): StoredAudience | undefined {
    for (const a of this.audiences.values()) {
      if (a.clientId === clientId && a.advertiserId === advertiserId && a.externalAudienceId === externalAudienceId) return a;
    }
    return undefined;
  }

  /** The stored object itself, for routes that only read it. */
  peekAudience(id: string): Readonly<StoredAudience> | undefined {
    return this.audiences.get(id);
  }

  /** Audiences of `clientId` (optionally of one advertiser) that contain the record. */
  audiencesContaining(clientId: string, type: RecordType, value: string, advertiserId?: string): string[] {
    const out: string[] = [];
    for (const [id, m] of this.membership) {
      const a = this.audiences.get(id);
      if (!a || a.clientId !== clientId || (advertiserId !== undefined && a.advertiserId !== advertiserId)) continue;
      if (m.sets[type].has(value)) out.push(id);
    }
    return out;
  }

  hasRecord(clientId: string, externalId: string): boolean {
    return this.recordsByClient.get(clientId)?.has(externalId) ?? false;
  }

  // ------------------------------------------------------------ SimulatorStore

  listAudiences(): StoredAudience[] {
    return [...this.audiences.values()].map(copyAudience);
  }

  getAudience(id: string): StoredAudience | undefined {
    const a = this.audiences.get(id);
    return a && copyAudience(a);
  }

  memberCounts(audienceId: string): MemberCounts | undefined {
    const m = this.membership.get(audienceId);
    if (!m) return undefined;
    const counts = { COOKIE: m.sets.COOKIE.size, MAID: m.sets.MAID.size, EXTERNAL_USER_ID: m.sets.EXTERNAL_USER_ID.size };
    return { ...counts, total: counts.COOKIE + counts.MAID + counts.EXTERNAL_USER_ID };
  }

  members(audienceId: string): MemberLists | undefined {
    const m = this.membership.get(audienceId);
    if (!m) return undefined;
    return { COOKIE: sorted(m.sets.COOKIE), MAID: sorted(m.sets.MAID), EXTERNAL_USER_ID: sorted(m.sets.EXTERNAL_USER_ID) };
  }

  isMember(audienceId: string, type: RecordType, value: string): boolean {
    return this.membership.get(audienceId)?.sets[type].has(value) ?? false;
  }

  audiencesOf(type: RecordType, value: string): string[] {
    const out: string[] = [];
    for (const [id, m] of this.membership) if (m.sets[type].has(value)) out.push(id);
    return out.sort(compareIds);
  }

  audienceSize(audienceId: string): AudienceSize | undefined {
    const a = this.audiences.get(audienceId);
    const m = this.membership.get(audienceId);
    if (!a || !m) return undefined;
    const received = m.sets.COOKIE.size + m.sets.MAID.size + m.sets.EXTERNAL_USER_ID.size;
    const matched = m.matched + this.matchedExternal(a, m);
    return { receivedRecordSize: received, matchedRecordSize: matched, matchRate: received === 0 ? 0 : Math.round((matched / received) * 1e4) / 1e4 };
  }

  /** EXTERNAL_USER_ID members with an uploaded hashed record holding an email or phone; cached. */
  private matchedExternal(a: StoredAudience, m: AudienceMembers): number {
    const key = `${m.externalVersion}/${this.recordsVersion}`;
    const cached = this.externalMatchCache.get(a.id);
    if (cached?.key === key) return cached.matched;
    const records = this.recordsByClient.get(a.clientId);
    let matched = 0;
    if (records) {
      for (const v of m.sets.EXTERNAL_USER_ID.values()) {
        const fields = records.get(v)?.fields;
        if (fields && (fields.includes("email") || fields.includes("phone"))) matched++;
      }
    }
    this.externalMatchCache.set(a.id, { key, matched });
    return matched;
  }

  records(clientId?: string): Map<string, HashedRecordSummary> {
    const out = new Map<string, HashedRecordSummary>();
    for (const [c, byId] of this.recordsByClient) {
      if (clientId !== undefined && c !== clientId) continue;
      for (const [x, r] of byId) out.set(x, { digests: [...r.digests], fields: [...r.fields], updatedAt: r.updatedAt });
    }
    return out;
  }

  deletions(): DeletionRequest[] {
    return this.deletionList.map((d) => ({ ...d, users: d.users.map((u) => ({ ...u })) }));
  }

  requests(since?: number): RequestLogEntry[] {
    return this.requestLog.since(since).map((e) => ({ ...e }));
  }

  nextRequestSeq(): number {
    return this.requestLog.nextSeq();
  }

  // ------------------------------------------------------------ snapshot

  /**
   * The whole state as changes that rebuild it when applied to an empty store, in chunks
   * small enough to keep snapshot lines around 256 KB.
   */
  *snapshot(chunkSize = 10_000): Generator<StateChange> {
    for (const a of this.audiences.values()) yield { k: "audience", a };
    for (const [id, m] of this.membership) {
      for (const type of RECORD_TYPES) {
        let chunk: string[] = [];
        for (const v of m.sets[type].values()) {
          chunk.push(v);
          if (chunk.length === chunkSize) {
            yield { k: "members", g: [["+", type, [id], chunk]] };
            chunk = [];
          }
        }
        if (chunk.length > 0) yield { k: "members", g: [["+", type, [id], chunk]] };
      }
    }
    for (const [c, byId] of this.recordsByClient) {
      let chunk: Array<[string, string[], HashedRecordSummary["fields"], number]> = [];
      for (const [x, r] of byId) {
        chunk.push([x, r.digests, r.fields, r.updatedAt]);
        if (chunk.length === chunkSize) {
          yield { k: "records", c, r: chunk };
          chunk = [];
        }
      }
      if (chunk.length > 0) yield { k: "records", c, r: chunk };
    }
    for (const d of this.deletionList) yield { k: "deletion", d };
    yield { k: "request-seq", n: this.requestLog.nextSeq() - 1 };
    for (const e of this.requestLog.since(0)) yield { k: "request", e };
  }
}

function copyAudience(a: StoredAudience): StoredAudience {
  return { ...a, audienceFees: a.audienceFees.map((f) => ({ ...f })), dataSourceCountry: [...a.dataSourceCountry] };
}

function sorted(set: ByteStringSet): string[] {
  // Code-unit order, the same as a binary/C collation.
  return [...set.values()].sort();
}

/** Numeric order of decimal id strings without converting them to numbers. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
