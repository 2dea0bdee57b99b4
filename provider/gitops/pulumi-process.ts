/** Runs the Pulumi CLI for the commands that read a stack (plan-summary, history). */
import { spawn } from "node:child_process";

/** What one run of the Pulumi CLI gave. */
export interface PulumiRun {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs `pulumi <args>` with the user's environment (the CLI from PATH, or PULUMI_BIN), collecting
 * stdout and stderr (the CLI's progress and the providers' lines, shown only when the output is
 * unusable).
 * @throws Error when the CLI cannot be started
 */
export function runPulumi(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PulumiRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(env.PULUMI_BIN ?? "pulumi", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => reject(new Error(`could not run pulumi (${e.message}); put the Pulumi CLI on PATH or set PULUMI_BIN`)));
    child.on("close", (code) => resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: code ?? 1 }));
  });
}
