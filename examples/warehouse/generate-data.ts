/**
 * Writes the warehouse example's data: a DuckDB database (an `events` table and an `optouts`
 * table), a Parquet export of app users and a CSV of MAID opt-outs. Every ID is synthetic, from a
 * fixed seed, so the files are reproducible and belong to no real browser or device. The Parquet
 * and CSV files are small and committed; the DuckDB file (~800 KB of mostly empty blocks) is not:
 * `npm run demo -- examples/warehouse/audiences.yaml` runs this script first, which does nothing
 * when the database exists. By hand:
 *
 *   npx ts-node --transpile-only examples/warehouse/generate-data.ts [--force]
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { mulberry32 as seededRandom } from "../../provider/util/seeded-random";

const SEED = 20260415;
const DATA = join(__dirname, "data");
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";

async function main(): Promise<void> {
  if (existsSync(join(DATA, "warehouse.duckdb")) && !process.argv.includes("--force")) return;
  const random = seededRandom(SEED);
  const pick = (alphabet: string): string => alphabet[Math.floor(random() * alphabet.length)] ?? "";
  const cookie = (): string => Array.from({ length: 22 }, () => pick(BASE64URL)).join("");
  const hex = (n: number): string => Array.from({ length: n }, () => pick(HEX)).join("");
  const maid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick("89ab")}${hex(3)}-${hex(12)}`;

  const cookies = Array.from({ length: 400 }, cookie);
  const events = cookies.flatMap((c, i) => {
    const rows = [[c, "visit", 1 + (i % 28)]];
    if (i % 3 === 0) rows.push([c, "purchase", 1 + (i % 28)]);
    if (i % 30 === 0) rows.push([c, "refund", 2 + (i % 27)]);
    return rows;
  });
  const users = Array.from({ length: 300 }, (_, i) => [maid(), i % 2 === 0 ? "android" : "ios"]);

  const database = join(DATA, "warehouse.duckdb");
  rmSync(database, { force: true });
  const db = await DuckDBInstance.create(database);
  const c = await db.connect();
  const values = (rows: unknown[][]): string => rows.map((r) => `(${r.map((v) => (typeof v === "number" ? String(v) : `'${String(v)}'`)).join(", ")})`).join(",\n");
  await c.run("CREATE TABLE events (cookie VARCHAR NOT NULL, event VARCHAR NOT NULL, day INTEGER NOT NULL)");
  await c.run(`INSERT INTO events VALUES ${values(events)}`);
  await c.run("CREATE TABLE optouts (cookie VARCHAR NOT NULL)");
  await c.run(`INSERT INTO optouts VALUES ${values(cookies.filter((_, i) => i % 45 === 3).map((x) => [x]))}`);
  await c.run("CREATE TABLE app_users (maid VARCHAR NOT NULL, platform VARCHAR NOT NULL)");
  await c.run(`INSERT INTO app_users VALUES ${values(users)}`);
  await c.run(`COPY app_users TO '${join(DATA, "app-users.parquet")}' (FORMAT parquet)`);
  await c.run("DROP TABLE app_users");
  await c.run("CHECKPOINT");
  c.closeSync();
  db.closeSync();
  writeFileSync(join(DATA, "maid-optouts.csv"), ["maid,opted_out_on", ...users.filter((_, i) => i % 25 === 4).map(([m]) => `${String(m)},2026-03-01`)].join("\n") + "\n");
}

void main();
