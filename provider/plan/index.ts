export { defaultFingerprinter, type Fingerprinter } from "./fingerprint";
export { IdSet, type IdSetParts } from "./id-set";
export { IdSetBuilder, idSetFrom, type IdSetBuilderOptions } from "./id-set-builder";
export { idSetFromCanonicalBytes, NotCanonicalError } from "./canonical-bytes";
export { MAX_SET_BYTES } from "./id-columns";
export {
  IdFileError,
  type IdBytesCheck,
  readIdFile,
  readIdFiles,
  readIdFilesBounded,
  type IdLineProblem,
  type IdValidator,
  type ReadIdFilesOptions,
} from "./id-file-reader";
export { forEachLine, LineTooLongError, MAX_ID_LINE_BYTES, type ForEachLineOptions, type LineHandler } from "./line-scanner";
export { isSetDigest, setDigest } from "./set-digest";
export { applyPlan, IdSelection, planMembership, type MembershipPlan } from "./plan-membership";
export { membershipOps, type MembershipIdType, type MembershipOp, type MembershipTarget } from "./membership-ops";
export { applyAccepted, applySetDelta, DeltaMismatchError, planFromDelta, setDeltaOf, setOfSelection, wholeSelection, type SetDelta } from "./set-delta";
export { RANGE_COUNT, rangeOf, sliceRanges } from "./fingerprint-range";
export { SpilledSet, SpilledSetWriter } from "./spilled-set";
export { SpillingSetBuilder, unionOfSorted, writeSpilled, type BuiltSet, type IdSink, type SpillingSetBuilderOptions } from "./spilling-set-builder";
