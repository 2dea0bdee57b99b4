import { strict as assert } from "node:assert";
import { gunzipSync, gzipSync, zstdDecompressSync } from "node:zlib";
import fc from "fast-check";
import { IdSet, idSetFrom, setDigest } from "../../../provider/plan";
import {
  decodeSnapshot,
  encodeSnapshot,
  SnapshotCorruptError,
  SnapshotUnsupportedError,
} from "../../../provider/snapshots";
import { collidingFingerprinter, idListArbitrary } from "../../support/id-arbitraries";

/** The decompressed bytes of a snapshot in either codec. */
function inflateAny(snapshot: Buffer): Buffer {
  return snapshot[0] === 0x1f ? gunzipSync(snapshot) : zstdDecompressSync(snapshot);
}

/** Replaces the decompressed content, re-gzipped so only our own checks can catch it. */
function withContent(snapshot: Buffer, edit: (text: string) => string): Buffer {
  return gzipSync(Buffer.from(edit(inflateAny(snapshot).toString("utf8")), "utf8"));
}

function isCorrupt(pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof SnapshotCorruptError && pattern.test(error.reason);
}

describe("snapshot codec", () => {
  it("round-trips any set exactly", async () => {
    await fc.assert(
      fc.asyncProperty(idListArbitrary, async (ids) => {
        const set = idSetFrom(ids);
        const decoded = await decodeSnapshot(await encodeSnapshot(set), { expectedDigest: setDigest(set) });
        assert.ok(decoded.bytes.equals(set.bytes));
        assert.deepEqual(decoded.fingerprintHi, set.fingerprintHi);
        assert.deepEqual(decoded.fingerprintLo, set.fingerprintLo);
        assert.equal(setDigest(decoded), setDigest(set));
      }),
      { numRuns: 50 },
    );
  });

  it("round-trips sets with fingerprint collisions under the matching fingerprinter", async () => {
    const set = idSetFrom(["aa", "bb", "a", "b", "ccc"], { fingerprinter: collidingFingerprinter });
    const decoded = await decodeSnapshot(await encodeSnapshot(set), { fingerprinter: collidingFingerprinter });
    assert.deepEqual(decoded.toArray(), set.toArray());
  });

  it("writes a readable header and newline-separated IDs in canonical order", async () => {
    const set = idSetFrom(["b", "a"]);
    const text = zstdDecompressSync(await encodeSnapshot(set)).toString("utf8");
    assert.equal(text, `dsp-idset 1 count=2 bytes=4 fingerprint=imul2x32-v2 sha256=${setDigest(set)}\n${set.toArray().join("\n")}\n`);
  });

  it("compresses at the requested level", async () => {
    const set = idSetFrom(Array.from({ length: 2000 }, (_, i) => `id-${i % 7}-${"x".repeat(20)}-${i}`));
    const fast = await encodeSnapshot(set, { level: 1 });
    const small = await encodeSnapshot(set, { level: 9 });
    assert.ok(small.length < fast.length);
    assert.deepEqual((await decodeSnapshot(fast)).toArray(), set.toArray());
  });

  it("reads both codecs: zstd (new snapshots) and gzip (written before issue 14), whatever the name", async () => {
    const set = idSetFrom(["x", "y", "z"]);
    for (const codec of ["zstd", "gzip"] as const) {
      const decoded = await decodeSnapshot(await encodeSnapshot(set, { codec }), { expectedDigest: setDigest(set) });
      assert.deepEqual(decoded.toArray(), set.toArray(), codec);
    }
  });

  it("a truncated or damaged zstd snapshot is corrupt", async () => {
    const snapshot = await encodeSnapshot(idSetFrom(Array.from({ length: 500 }, (_, i) => `zid-${i}`)));
    await assert.rejects(decodeSnapshot(snapshot.subarray(0, snapshot.length >> 1)), isCorrupt(/compressed data is damaged or truncated/));
    const flipped = Buffer.from(snapshot);
    const at = flipped.length >> 1;
    flipped.writeUInt8((flipped[at] as number) ^ 0xff, at);
    await assert.rejects(decodeSnapshot(flipped), (error: unknown) => error instanceof SnapshotCorruptError);
  });

  it("round-trips the empty set", async () => {
    assert.equal((await decodeSnapshot(await encodeSnapshot(IdSet.empty()))).size, 0);
  });

  describe("rejects damage instead of returning a partial set", () => {
    const set = idSetFrom(Array.from({ length: 5000 }, (_, i) => `cookie-${i}`));
    let snapshot: Buffer;
    before(async () => {
      // The legacy codec: gzip damage is what older snapshots can suffer; zstd's is below.
      snapshot = await encodeSnapshot(set, { codec: "gzip" });
    });

    it("truncated gzip", async () => {
      await assert.rejects(decodeSnapshot(snapshot.subarray(0, snapshot.length >> 1)), isCorrupt(/compressed data is damaged or truncated/));
    });

    it("flipped bits, wherever they land", async () => {
      // Depending on the spot, inflate fails, the lines turn to garbage, or the CRC check fails.
      for (const at of [20, snapshot.length >> 2, snapshot.length >> 1, snapshot.length - 6]) {
        const damaged = Buffer.from(snapshot);
        damaged[at] = (damaged[at] as number) ^ 0x5a;
        await assert.rejects(decodeSnapshot(damaged), (error: unknown) => error instanceof SnapshotCorruptError);
      }
    });

    it("not gzip at all", async () => {
      await assert.rejects(decodeSnapshot(Buffer.from("hello\n")), isCorrupt(/compressed data is damaged/));
    });

    it("IDs missing at the end", async () => {
      const cut = withContent(snapshot, (text) => text.slice(0, text.lastIndexOf("\n", text.length - 2) + 1));
      const lastIdBytes = Buffer.byteLength(set.idAt(set.size - 1)) + 1;
      const bytes = set.bytes.length;
      await assert.rejects(decodeSnapshot(cut), isCorrupt(new RegExp(`^truncated: ${bytes - lastIdBytes} of ${bytes} bytes of IDs$`)));
    });

    it("a header cut off before its line break", async () => {
      const cut = withContent(snapshot, (text) => text.slice(0, text.indexOf("\n")));
      await assert.rejects(decodeSnapshot(cut), isCorrupt(/^truncated header$/));
    });

    it("an extra ID", async () => {
      await assert.rejects(decodeSnapshot(withContent(snapshot, (text) => `${text}cookie-extra\n`)), isCorrupt(/more than the \d+ bytes of IDs/));
    });

    it("an ID changed (same size)", async () => {
      const changed = withContent(snapshot, (text) => text.replace("\ncookie-42\n", "\ncookie-4x\n"));
      await assert.rejects(decodeSnapshot(changed), isCorrupt(/out of order|does not match the digest/));
    });

    it("an empty line (same size)", async () => {
      const changed = withContent(snapshot, (text) => text.replace("\ncookie-42\n", "\ncookie-4\n\n"));
      await assert.rejects(decodeSnapshot(changed), isCorrupt(/empty ID|out of order/));
    });

    it("IDs in canonical order that are not the set named in the header", async () => {
      const other = idSetFrom(Array.from({ length: 5000 }, (_, i) => `cookie-${i + 1}`));
      const swapped = withContent(await encodeSnapshot(other), (text) => text.replace(setDigest(other), setDigest(set)));
      await assert.rejects(decodeSnapshot(swapped), isCorrupt(/^content does not match the digest in its header$/));
    });

    it("a repeated ID or wrong count", async () => {
      const one = await encodeSnapshot(idSetFrom(["a"]));
      const repeated = withContent(one, (text) => text.replace("count=1 bytes=2", "count=2 bytes=4").replace("\na\n", "\na\na\n"));
      await assert.rejects(decodeSnapshot(repeated), isCorrupt(/^ID 1 is a repeat$/));
      const miscounted = withContent(one, (text) => text.replace("count=1 bytes=2", "count=2 bytes=4").replace("\na\n", "\nabc\n"));
      await assert.rejects(decodeSnapshot(miscounted), isCorrupt(/^1 IDs where 2 were expected$/));
    });

    it("a malformed or impossible header", async () => {
      await assert.rejects(decodeSnapshot(gzipSync("")), isCorrupt(/^no header$/));
      await assert.rejects(decodeSnapshot(withContent(snapshot, (text) => `x${text}`)), isCorrupt(/missing or malformed header/));
      await assert.rejects(decodeSnapshot(withContent(snapshot, (text) => text.replace("count=5000", "count=five"))), isCorrupt(/^malformed header$/));
      await assert.rejects(
        decodeSnapshot(withContent(snapshot, (text) => text.replace(/bytes=\d+/, "bytes=99999999999"))),
        isCorrupt(/impossible count or size/),
      );
    });

    it("a different set than the one asked for", async () => {
      const other = setDigest(idSetFrom(["something else"]));
      await assert.rejects(decodeSnapshot(snapshot, { expectedDigest: other, location: "/snapshots/x" }), (error: unknown) => {
        assert.ok(error instanceof SnapshotCorruptError);
        assert.equal(error.digest, other);
        assert.equal(error.location, "/snapshots/x");
        assert.match(error.message, new RegExp(`holds a different set \\(${setDigest(set)}\\)`));
        assert.match(error.message, /full re-assert/);
        return true;
      });
    });
  });

  it("refuses formats and fingerprints it does not know, without calling them corrupt", async () => {
    const snapshot = await encodeSnapshot(idSetFrom(["a"]));
    const newer = withContent(snapshot, (text) => text.replace("dsp-idset 1 ", "dsp-idset 2 "));
    await assert.rejects(decodeSnapshot(newer), (error: unknown) => error instanceof SnapshotUnsupportedError && /format version 2/.test(error.message));
    await assert.rejects(
      decodeSnapshot(snapshot, { fingerprinter: collidingFingerprinter }),
      (error: unknown) => error instanceof SnapshotUnsupportedError && /fingerprint imul2x32-v2/.test(error.message),
    );
  });
});
