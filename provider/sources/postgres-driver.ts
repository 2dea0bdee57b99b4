/**
 * SQL on PostgreSQL (`pg`, loaded only when a spec uses it). The connection string comes from a
 * stack secret or an environment variable; it and its password are kept out of every message.
 * Rows are fetched through a cursor, 10,000 at a time, so a large result is never held whole.
 */
import type { ResolvedSqlSource } from "../spec";
import { safeDbMessage } from "./db-message";
import { checkOneTextColumn, messageOf } from "./duckdb-driver";
import { loadOptional } from "../util/optional-package";
import { SourceError } from "./source-error";
import type { SqlConnection, SqlDriver, SqlSourceContext } from "./sql-driver";

/** The PostgreSQL client package. */
export const PG_PACKAGE = "pg";

/** Rows per FETCH: big enough to amortise the round trip, small enough to bound memory. */
const FETCH_ROWS = 10_000;

/** Type OIDs of text, varchar, bpchar, name and citext-like text. */
const TEXT_TYPES = new Set([25, 1043, 1042, 19]);

/** The driver for `sources: { x: { postgres: … } }`. */
export const postgresDriver: SqlDriver = {
  async open(source: ResolvedSqlSource, context: SqlSourceContext): Promise<SqlConnection> {
    if (source.kind !== "postgres") throw new Error(`postgres driver given a ${source.kind} source`);
    const where = "config" in source.connection ? `stack config ${source.connection.config}` : `environment variable ${source.connection.env}`;
    const connectionString = "config" in source.connection ? context.config(source.connection.config) : context.env[source.connection.env];
    if (connectionString === undefined || connectionString === "") throw new SourceError(`${where} is not set; it must hold the PostgreSQL connection string`);
    const secrets = secretsOf(connectionString);
    const pg = await loadOptional(PG_PACKAGE, `SQL source ${source.name}`, () => import("pg"));
    const Client = pg.Client ?? (pg as unknown as { default: typeof pg }).default.Client;
    const client = new Client({ connectionString });
    // An idle client's socket error must not crash the program; the next query reports it.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new SourceError(`cannot connect (connection string from ${where}): ${safeDbMessage(messageOf(error), "", secrets)}`);
    }
    return {
      async streamColumn(query, sink) {
        const clean = (error: unknown): SourceError => new SourceError(safeDbMessage(messageOf(error), query, secrets));
        try {
          await client.query("BEGIN READ ONLY");
          await client.query(`DECLARE dsp_ids NO SCROLL CURSOR FOR ${query}`);
          let row = 0;
          let checked = false;
          for (;;) {
            const page = await client.query({ text: `FETCH FORWARD ${FETCH_ROWS} FROM dsp_ids`, rowMode: "array" });
            if (!checked) {
              checkOneTextColumn(
                page.fields.map((f) => f.name),
                page.fields.map((f) => ({ name: `of PostgreSQL type oid ${f.dataTypeID}`, text: TEXT_TYPES.has(f.dataTypeID) })),
              );
              checked = true;
            }
            for (const values of page.rows as unknown[][]) sink.value(values[0], ++row);
            if (page.rows.length < FETCH_ROWS) break;
          }
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error instanceof SourceError ? error : clean(error);
        }
      },
      async close() {
        await client.end().catch(() => undefined);
      },
    };
  },
};

/** The connection string and its password, to be replaced in messages. */
function secretsOf(connectionString: string): string[] {
  const secrets = [connectionString];
  try {
    const url = new URL(connectionString);
    if (url.password !== "") secrets.push(decodeURIComponent(url.password), url.password);
  } catch {
    // A key=value connection string: the whole string is hidden, that is enough.
    const m = /password\s*=\s*(\S+)/i.exec(connectionString);
    if (m?.[1] !== undefined) secrets.push(m[1]);
  }
  return secrets;
}
