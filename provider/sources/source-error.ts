/**
 * An error reading one ID source (a CSV or Parquet column, a SQL query): its message names the
 * source and the row, never a value. The program reports it as one clean line.
 */
export class SourceError extends Error {
  override name = "SourceError";
}
