import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** What one `pulumi` invocation returned. */
export interface PulumiResult {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link PulumiStack}. */
export interface PulumiStackOptions {
  /** Folder with Pulumi.yaml. */
  projectDir: string;
  /** Stack name. @default "dev" */
  stack?: string;
  /** Local file backend folder (created if missing): `pulumi login file://<dir>`; no Pulumi Cloud, no network. Also holds PULUMI_HOME and, by default, the stack config. */
  backendDir: string;
  /** Another backend, e.g. `s3://bucket/prefix?endpoint=…` (credentials via {@link env}). @default file://<backendDir> */
  backendUrl?: string;
  /** Folder with `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`; see {@link ensurePulumiEngine}. */
  binDir: string;
  /** Passphrase of the passphrase secrets provider. @default process.env.PULUMI_CONFIG_PASSPHRASE ?? "dsp-audiences-local" */
  passphrase?: string;
  /** Extra environment for the CLI, its language host and the dynamic providers it starts. */
  env?: Record<string, string>;
  /**
   * The stack's config file (`--config-file`). Default: beside the backend, so that tests and the
   * demo leave no `Pulumi.<stack>.yaml` in the project folder. @default <backendDir>/Pulumi.<stack>.yaml
   */
  configFile?: string;
  /** Streams output lines as they come (for long runs). */
  onOutput?: (chunk: string) => void;
}

let cachedBinDir: string | undefined;

/** scripts/ensure-pulumi.sh of this checkout, found from the sources or from their build in dist/. */
function ensurePulumiScript(from: string): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const script = path.join(dir, "scripts", "ensure-pulumi.sh");
    if (fs.existsSync(script)) return script;
  }
  throw new Error(`scripts/ensure-pulumi.sh not found above ${from}: the engine driver runs from a checkout of dsp-audiences`);
}

/** The commands that read or write stack config and so take `--config-file`. */
const CONFIG_FILE_COMMANDS = new Set(["config", "up", "preview", "refresh", "destroy"]);

/**
 * Runs scripts/ensure-pulumi.sh (PATH first, else the pinned build from the Go module proxy,
 * cached outside the clone) and returns the bin folder. Progress goes to stderr.
 */
export function ensurePulumiEngine(): Promise<string> {
  if (cachedBinDir !== undefined) return Promise.resolve(cachedBinDir);
  const script = ensurePulumiScript(__dirname);
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const dir = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || dir === "") {
        reject(new Error(`could not provide a Pulumi engine (scripts/ensure-pulumi.sh exited ${code})`));
        return;
      }
      cachedBinDir = dir;
      resolve(dir);
    });
  });
}

/**
 * One stack of one project on a local file backend, driven through the real `pulumi` CLI.
 * Every call runs a fresh process, as a user or CI would.
 */
export class PulumiStack {
  readonly stack: string;
  readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: PulumiStackOptions) {
    this.stack = opts.stack ?? "dev";
    this.configFile = opts.configFile ?? path.join(path.resolve(opts.backendDir), `Pulumi.${this.stack}.yaml`);
    fs.mkdirSync(opts.backendDir, { recursive: true });
    this.env = {
      ...process.env,
      // Type checking is `npm run typecheck`'s job; the engine only needs to run the program.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      ...opts.env,
      PATH: `${opts.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: opts.backendUrl ?? `file://${path.resolve(opts.backendDir)}`,
      PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE ?? "dsp-audiences-local",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      // Keep the CLI's plugin cache and credentials out of the user's ~/.pulumi.
      PULUMI_HOME: path.join(path.resolve(opts.backendDir), ".pulumi-home"),
      NO_COLOR: "1",
    };
  }

  /**
   * Runs `pulumi <args>` in the project folder with `--non-interactive` and no colour, and with
   * `--stack` and `--config-file` unless `withStack` is false.
   */
  run(args: string[], withStack = true): Promise<PulumiResult> {
    return this.start(args, withStack, { ownProcessGroup: false }).done;
  }

  /**
   * Starts `pulumi <args>` like {@link run}; by default in a process group of its own, so that
   * `process.kill(-pid, "SIGKILL")` kills the CLI and everything it started (language host,
   * program, providers) at once, as a `kill -9` of a CI job would.
   */
  start(args: string[], withStack = true, options: { ownProcessGroup?: boolean } = {}): { pid: number; done: Promise<PulumiResult> } {
    const stackArgs = withStack ? ["--stack", this.stack, ...(CONFIG_FILE_COMMANDS.has(args[0] ?? "") ? ["--config-file", this.configFile] : [])] : [];
    const full = [...args, ...stackArgs, "--non-interactive", "--color", "never"];
    const child = spawn(path.join(this.opts.binDir, "pulumi"), full, {
      cwd: this.opts.projectDir,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.ownProcessGroup ?? true,
    });
    const done = new Promise<PulumiResult>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        this.opts.onOutput?.(d.toString());
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        this.opts.onOutput?.(d.toString());
      });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ args: full, code: code ?? (signal === null ? -1 : 128 + (signal === "SIGKILL" ? 9 : 15)), stdout, stderr }));
    });
    return { pid: child.pid ?? -1, done };
  }

  /** Like {@link run} but throws with the CLI's output when it exits non-zero. */
  async must(args: string[], withStack = true): Promise<PulumiResult> {
    const r = await this.run(args, withStack);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }

  /** Selects the stack, creating it on first use. */
  async init(): Promise<void> {
    const sel = await this.run(["stack", "select", this.stack, "--create"], false);
    if (sel.code !== 0) throw new Error(`pulumi stack select --create ${this.stack} failed\n${sel.stdout}\n${sel.stderr}`);
    // Creating a stack writes its secrets salt to Pulumi.<stack>.yaml in the project folder
    // (`stack init` has no --config-file); move it to where every later command looks.
    const written = path.join(this.opts.projectDir, `Pulumi.${this.stack}.yaml`);
    if (path.resolve(written) !== this.configFile && fs.existsSync(written)) {
      if (!fs.existsSync(this.configFile)) fs.copyFileSync(written, this.configFile);
      fs.rmSync(written);
    }
  }

  setConfig(key: string, value: string, secret = false): Promise<PulumiResult> {
    return this.must(["config", "set", key, value, ...(secret ? ["--secret"] : ["--plaintext"])]);
  }

  up(extra: string[] = []): Promise<PulumiResult> {
    return this.must(["up", "--yes", "--skip-preview", ...extra]);
  }

  preview(extra: string[] = []): Promise<PulumiResult> {
    return this.run(["preview", ...extra]);
  }

  refresh(extra: string[] = []): Promise<PulumiResult> {
    return this.must(["refresh", "--yes", "--skip-preview", ...extra]);
  }

  destroy(extra: string[] = []): Promise<PulumiResult> {
    return this.must(["destroy", "--yes", "--skip-preview", ...extra]);
  }

  /** The stack's checkpoint as exported by `pulumi stack export` (secrets stay encrypted). */
  async exportState(): Promise<string> {
    return (await this.must(["stack", "export"])).stdout;
  }
}
