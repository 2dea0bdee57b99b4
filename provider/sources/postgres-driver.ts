/**
 * SQL on PostgreSQL (`pg`, loaded only when a spec uses it). The connection string comes from a
 * stack secret or an environment variable; it and its password are kept out of every message.
 * Rows are fetched through a cursor, 10,000 at a time, so a large result is never held whole. The
 * query is one statement (the extended protocol), run in a READ ONLY transaction with a
 * statement_timeout of `settings.queryTimeoutSeconds`.
 */
import type { QueryConfig } from "pg";
import type { ResolvedSqlSource } from "../spec";
import { safeDbMessage } from "./db-message";
import { loadOptional } from "../util/optional-package";
import { SourceError } from "./source-error";
import { checkOneTextColumn, messageOf, type SqlConnection, type SqlDriver, type SqlSourceContext } from "./sql-driver";

/** The PostgreSQL client package. */
export const PG_PACKAGE = "pg";

/** Rows per FETCH: big enough to amortise the round trip, small enough to bound memory. */
const FETCH_ROWS = 10_000;

/**
 * PostgreSQL error codes (SQLSTATE) the messages explain: a second statement, or a statement
 * DECLARE does not take, is a syntax error; statement_timeout cancels the query.
 */
const SQLSTATE = { syntaxError: "42601", queryCanceled: "57014" } as const;

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
        const clean = (error: unknown, timeoutMs: number): SourceError => {
          const message = safeDbMessage(messageOf(error), query, secrets);
          const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
          if (code === SQLSTATE.syntaxError) return new SourceError(`the query must be exactly one SELECT statement (SQL in a spec may only read): ${message}`);
          if (code === SQLSTATE.queryCanceled) return new SourceError(`the query ran longer than settings.queryTimeoutSeconds (${timeoutMs / 1000} s) and was cancelled: ${message}`);
          return new SourceError(message);
        };
        try {
          await client.query("BEGIN READ ONLY");
          await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(context.queryTimeoutMs))}`);
          // The extended protocol parses exactly one statement (a second one is an error, never run), and
          // DECLARE … CURSOR FOR takes only a SELECT or VALUES query.
          const declare: QueryConfig & { queryMode: "extended" } = { text: `DECLARE dsp_ids NO SCROLL CURSOR FOR ${query}`, queryMode: "extended" };
          await client.query(declare);
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
          throw error instanceof SourceError ? error : clean(error, context.queryTimeoutMs);
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
