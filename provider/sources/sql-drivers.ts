/**
 * The registry of SQL drivers by source kind. Each driver module is imported only when a spec
 * names a source of its kind, so its client library is needed only then. A new warehouse is one
 * more entry here and one more module implementing SqlDriver.
 */
import type { ResolvedSqlSource } from "../spec";
import type { SqlDriver } from "./sql-driver";

export const SQL_DRIVERS: Record<ResolvedSqlSource["kind"], () => Promise<SqlDriver>> = {
  duckdb: async () => (await import("./duckdb-driver")).duckDbDriver,
  postgres: async () => (await import("./postgres-driver")).postgresDriver,
};
