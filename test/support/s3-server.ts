/**
 * A real S3-compatible server for end-to-end tests: moto's server mode, installed by
 * scripts/s3-server.sh (PyPI, cached outside the clone) and run on a free loopback port.
 * If it cannot be installed or started, this throws: the tests that need it fail, never skip.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as path from "path";

export interface RunningS3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Environment for any S3 client (the Pulumi CLI, the AWS SDK): moto accepts any key. */
  readonly env: Record<string, string>;
  /** `s3://<bucket>[/<prefix>]?endpoint=…&s3ForcePathStyle=true&region=us-east-1`, as `pulumi login` takes it. */
  backendUrl(bucket: string, prefix?: string): string;
  stop(): Promise<void>;
}

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "s3-server.sh");

export async function startS3Server(): Promise<RunningS3Server> {
  // First run on a machine: pip install (~80-100 s). Progress goes to the test's stderr.
  const ensure = spawnSync("bash", [SCRIPT, "--ensure"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 15 * 60 * 1000 });
  const server = ensure.stdout?.trim().split("\n").pop() ?? "";
  if (ensure.status !== 0 || server === "") {
    throw new Error(`could not install the S3 test server (scripts/s3-server.sh --ensure exited ${ensure.status ?? ensure.signal}); see its output above`);
  }
  const child: ChildProcess = spawn(server, ["-H", "127.0.0.1", "-p", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`moto_server printed no address within 60 s:\n${seen}`));
    }, 60_000);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited ${code} before serving:\n${seen}`));
    });
  });
  // Keep draining its request log so the pipe never fills up.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    endpoint,
    env: { AWS_ACCESS_KEY_ID: "moto-test-key", AWS_SECRET_ACCESS_KEY: "moto-test-secret", AWS_REGION: "us-east-1" },
    backendUrl: (bucket, prefix) => `s3://${bucket}${prefix ? `/${prefix}` : ""}?endpoint=${endpoint}&s3ForcePathStyle=true&region=us-east-1`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}
