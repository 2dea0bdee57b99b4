/**
 * Diagnostics from inside the dynamic provider process. The engine passes its own address as
 * the first argument of that process; messages sent there show up in `pulumi preview`/`up`
 * output like the program's own `pulumi.log` lines (a provider's stderr would be hidden).
 */
import type * as grpcType from "@grpc/grpc-js";
import type { DspEventListener } from "../client";
import { progressReporter, type ProgressWording } from "./progress-line";

export type Severity = "info" | "warning" | "error";

export interface EngineLog {
  log(severity: Severity, message: string, urn?: string): Promise<void>;
}

let shared: EngineLog | undefined;

/** The engine log of this process; falls back to stderr outside a provider process. */
export function engineLog(): EngineLog {
  if (shared) return shared;
  const address = process.argv[2];
  shared = address && /^[\w.-]+:\d+$/.test(address) ? grpcEngineLog(address) : stderrLog();
  return shared;
}

function stderrLog(): EngineLog {
  return {
    log: async (severity, message) => {
      process.stderr.write(`${severity}: ${message}\n`);
    },
  };
}

/**
 * After `kill -9` of the `pulumi` process alone, this provider process lives on (an orphan) and
 * finishes its sync, but nothing reads its stdout and stderr any more: a write fails with EPIPE.
 * Unheard, that error reaches Pulumi's uncaught-error handler, which prints it to the same broken
 * pipe, and so on without end: the process spins and never finishes. Heard here, such a stream is
 * written no more.
 */
function muteWhenUnread(stream: NodeJS.WriteStream, closed: { value: boolean }): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed.value = true;
  });
}

function grpcEngineLog(address: string): EngineLog {
  const stderrClosed = { value: false };
  muteWhenUnread(process.stderr, stderrClosed);
  muteWhenUnread(process.stdout, { value: false });
  const grpc = require("@grpc/grpc-js") as typeof grpcType;
  const enginePb = require("@pulumi/pulumi/proto/engine_pb");
  const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const client = new engineGrpc.EngineClient(address, grpc.credentials.createInsecure());
  const severities: Record<Severity, number> = {
    info: enginePb.LogSeverity.INFO,
    warning: enginePb.LogSeverity.WARNING,
    error: enginePb.LogSeverity.ERROR,
  };
  return {
    log: (severity, message, urn) =>
      new Promise((resolve) => {
        const req = new enginePb.LogRequest();
        req.setSeverity(severities[severity]);
        req.setMessage(message);
        if (urn) req.setUrn(urn);
        // A lost diagnostic must never fail a deployment.
        client.log(req, (err: Error | null) => {
          if (err && !stderrClosed.value) process.stderr.write(`${severity}: ${message}\n`);
          resolve();
        });
      }),
  };
}

/**
 * A bulk call's listener that logs progress lines (progress-line.ts) to `log` (the engine's), attached to
 * `urn` so that `pulumi up` shows them on the resource's own line; on the wall clock, every
 * PROGRESS_INTERVAL_MS at most, and a last one at 100 % (test/e2e/progress-lines.test.ts).
 */
export function engineProgress(log: EngineLog, wording: ProgressWording, total: number, urn: string | undefined): DspEventListener {
  return progressReporter({ wording, total, now: Date.now, emit: (line) => void log.log("info", line, urn) }).listener;
}
