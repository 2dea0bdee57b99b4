/** Bounded request-body reading: the size limit is enforced before anything is parsed. */
import type { IncomingMessage } from "node:http";

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: "too-large" | "aborted"; bytes: number };

/** After a 413, discard at most this much more upload before closing the connection. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body up to `maxBytes`. A declared Content-Length over the limit fails at once; a
 * streamed body fails as soon as it crosses the limit. Either way buffering stops, and the rest
 * of the upload is discarded (not buffered) so that the client can still read the 413 on the
 * same connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    // The client may have gone away while the request waited (e.g. an injected latency).
    if (req.destroyed && !req.complete) return resolve({ ok: false, reason: "aborted", bytes: 0 });
    const declared = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
    let bytes = 0;
    let settled = false;
    const tooLarge = (): void => {
      settled = true;
      resolve({ ok: false, reason: "too-large", bytes });
    };
    if (declared !== undefined && declared > maxBytes) tooLarge();

    // Known length: one allocation, no concat.
    const exact = declared !== undefined && Number.isSafeInteger(declared) && declared <= maxBytes ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (settled) {
        if (bytes > maxBytes + MAX_DISCARD_BYTES) req.socket.destroy();
        return;
      }
      if (bytes > maxBytes) return tooLarge();
      if (exact && bytes <= exact.length) chunk.copy(exact, bytes - chunk.length);
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      if (exact && bytes === exact.length && chunks.length === 0) resolve({ ok: true, body: exact });
      else resolve({ ok: true, body: Buffer.concat(exact ? [exact.subarray(0, Math.min(bytes, exact.length)), ...chunks] : chunks) });
    });
    req.on("error", () => {
      if (!settled) {
        settled = true;
        resolve({ ok: false, reason: "aborted", bytes });
      }
    });
    req.on("close", () => {
      if (!settled && !req.complete) {
        settled = true;
        resolve({ ok: false, reason: "aborted", bytes });
      }
    });
  });
}
