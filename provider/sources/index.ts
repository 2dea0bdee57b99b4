export { SourceReader, type CollectedIds, type SourceReaderOptions } from "./read-sources";
export { removeIds } from "./remove-ids";
export { SourceError } from "./source-error";
export type { SqlConnection, SqlDriver, SqlSourceContext } from "./sql-driver";
