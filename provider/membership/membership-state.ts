/** What an AudienceMembership's provider receives (its inputs) and keeps in state (its outputs). */
import type { Consent } from "../spec";
import type { MembershipIdType } from "../plan";

export interface MembershipInputs {
  /** Audience id (int64 decimal string). */
  audienceId: string;
  idType: MembershipIdType;
  /** Digest of the desired set, already in the snapshot store. */
  desiredDigest: string;
  desiredCount: number;
  /** Human label for messages, e.g. the spec key. */
  label: string;
  consent?: Consent;
  /**
   * Changing this value re-sends the whole desired set (recovery, or refreshing membership TTLs).
   * Without an applied snapshot, removals cannot be computed and none are sent.
   */
  reassertToken?: string;
  /** Members the spec's suppression list removed (issue 15); shown in the plan line. */
  suppressedCount?: number;
  /** Source rows `onInvalid: skip` left out (issue 15); shown in the plan line. */
  skippedCount?: number;
  /** The spec's `settings.historyRetentionDays` (see config/history-retention.ts). @default dsp:historyRetentionDays, else 90 */
  historyRetentionDays?: number;
}

export interface MembershipOutputs extends MembershipInputs {
  /** Digest of the set Amazon has accepted. */
  appliedDigest: string;
  appliedCount: number;
  /** What the last create/update/recovery sent. */
  lastSync: { adds: number; removes: number; requests: number; firstRequestId?: string };
  /** The sync attempt this state reflects (see membership-record.ts). */
  syncAttempt?: string;
  /** IDs sent whose outcome Amazon's answer did not prove (a snapshot); re-sent by the next up. */
  inDoubtDigest?: string;
  inDoubtCount?: number;
}
