/**
 * Writes the example's ID files: synthetic, random-looking IDs from a fixed seed, so the files
 * are reproducible and belong to no real browser or device. Run once and commit the output:
 *
 *   npx ts-node --transpile-only examples/basic/generate-ids.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mulberry32 as seededRandom } from "../../provider/util/seeded-random";

/** Seed for every file; change it and every ID changes. */
const SEED = 20260101;

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";

function pick(random: () => number, alphabet: string): string {
  return alphabet[Math.floor(random() * alphabet.length)] ?? "";
}

/** A 22-character URL-safe base64 cookie ID, the shape of Amazon's example `EMpBAI0GRcK4nBNGpPGg5g`. */
function cookieId(random: () => number): string {
  return Array.from({ length: 22 }, () => pick(random, BASE64URL)).join("");
}

/** A version-4 UUID, as Android AAIDs and Apple IDFAs are. */
function uuidV4(random: () => number): string {
  const hex = (count: number): string => Array.from({ length: count }, () => pick(random, HEX)).join("");
  const variant = pick(random, "89ab");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** `count` distinct IDs from `make`. */
function distinct(count: number, make: () => string): string[] {
  const ids = new Set<string>();
  while (ids.size < count) ids.add(make());
  return [...ids];
}

function writeIdFile(name: string, ids: readonly string[]): void {
  const header = `# Synthetic IDs for the basic example (examples/basic/generate-ids.ts, seed ${SEED}); they identify nobody.\n`;
  writeFileSync(join(__dirname, "ids", name), header + ids.join("\n") + "\n");
}

if (require.main === module) {
  const random = seededRandom(SEED);
  mkdirSync(join(__dirname, "ids"), { recursive: true });
  writeIdFile("site-visitor-cookies.txt", distinct(4000, () => cookieId(random)));
  // AAIDs are usually written in lowercase, IDFAs in uppercase.
  writeIdFile("android-aaids.txt", distinct(2500, () => uuidV4(random)));
  writeIdFile("ios-idfas.txt", distinct(1500, () => uuidV4(random).toUpperCase()));
}
