/** Seeded synthetic IDs for tests and examples: never real identifiers. */

import { mulberry32 as seededRandom } from "../../provider/util/seeded-random";

export { seededRandom };

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";

/** `n` distinct 22-character cookie ids. */
export function cookieIds(n: number, seed: number): string[] {
  const rnd = seededRandom(seed);
  const out = new Set<string>();
  while (out.size < n) {
    let s = "";
    for (let i = 0; i < 22; i++) s += B64URL[Math.floor(rnd() * 64)];
    out.add(s);
  }
  return [...out];
}

/** `n` distinct lowercase UUID-shaped mobile ad ids. */
export function maidIds(n: number, seed: number): string[] {
  const rnd = seededRandom(seed);
  const out = new Set<string>();
  const hex = (k: number): string => Array.from({ length: k }, () => HEX[Math.floor(rnd() * 16)]).join("");
  while (out.size < n) out.add(`${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`);
  return [...out];
}
