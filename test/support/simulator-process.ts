/**
 * Runs the simulator in a child process, so that its request log records
 * arrival times on an event loop of its own. In-process, the client's work
 * delays the server's handlers and the log shows bursts the client never sent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface SimulatorProcess {
  url: string;
  /** Process id of the simulator (e.g. to read its CPU time from /proc). */
  pid: number;
  stop(): Promise<void>;
}

const CLI = path.resolve(__dirname, "../../simulator/cli.ts");

/** Starts `simulator/cli.ts` with `args` (e.g. `["--limit", "audienceTps=100"]`) and waits for its URL. */
export async function startSimulatorProcess(args: readonly string[] = [], startTimeoutMs = 20_000): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CLI, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`simulator did not start within ${startTimeoutMs} ms: ${output}`)), startTimeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill("SIGTERM");
      reject(error);
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => fail(new Error(`simulator exited with ${String(code)}: ${output}`)));
  });
  return { url, pid: child.pid ?? 0, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
