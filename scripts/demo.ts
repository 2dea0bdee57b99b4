/**
 * `npm run demo`: the whole product on this machine, no Amazon account needed.
 * Starts the DSP API simulator, then drives the real Pulumi CLI on the example spec:
 * preview → up → what the "remote" now holds → preview again (no changes) → up again (no-op).
 * Work files go to a temporary folder, removed at the end unless --keep is given.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensurePulumiEngine, PulumiStack, type PulumiResult } from "../tools/pulumi-cli";
import { SIMULATOR_CREDENTIALS, startSimulator } from "../simulator";

// Compiled to dist/scripts/demo.js; the project root is two folders up from there.
const root = path.join(__dirname, "..", "..");
const keep = process.argv.includes("--keep");
const specArg = process.argv.find((a) => a.endsWith(".yaml"));
const spec = path.resolve(specArg ?? path.join(root, "examples", "basic", "audiences.yaml"));

function step(title: string): void {
  console.log(`\n━━ ${title} ${"━".repeat(Math.max(0, 70 - title.length))}`);
}

/** The resource and diagnostics part of a CLI run, without the progress noise. */
function show(r: PulumiResult): void {
  const lines = r.stdout.split("\n").filter((l) => !/^@ /.test(l) && l.trim() !== "");
  console.log(lines.map((l) => `  ${l}`).join("\n"));
}

/** An example whose data is generated (examples/warehouse: a DuckDB file) has a generate-data.ts beside its spec; it is run first. */
function prepareExampleData(): void {
  const script = path.join(path.dirname(spec), "generate-data.ts");
  if (!fs.existsSync(script)) return;
  step("example data");
  execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", script], { cwd: root, stdio: "inherit" });
  console.log(`  ${path.relative(process.cwd(), path.dirname(script))}/data is ready`);
}

async function main(): Promise<void> {
  prepareExampleData();
  step("Pulumi engine");
  const binDir = await ensurePulumiEngine();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-demo-"));
  const sim = await startSimulator({ port: 0, dataDir: path.join(work, "simulator") });
  console.log(`  simulator: ${sim.url} (a local stand-in for the Amazon DSP Data Provider API)`);
  console.log(`  spec:      ${path.relative(process.cwd(), spec)}`);
  const stack = new PulumiStack({ projectDir: root, backendDir: path.join(work, "backend"), binDir, stack: "demo" });
  try {
    await stack.init();
    await stack.setConfig("dsp:spec", spec);
    await stack.setConfig("dsp:endpoint", sim.url);
    await stack.setConfig("dsp:clientId", SIMULATOR_CREDENTIALS.clientId);
    await stack.setConfig("dsp:clientSecret", SIMULATOR_CREDENTIALS.clientSecret, true);
    await stack.setConfig("dsp:refreshToken", SIMULATOR_CREDENTIALS.refreshToken, true);

    step("pulumi preview: what would change");
    const preview = await stack.preview();
    show(preview);
    if (preview.code !== 0) throw new Error(`preview failed:\n${preview.stderr}`);

    step("pulumi up: make it so");
    const t0 = Date.now();
    show(await stack.up());
    console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    step("what the simulator now holds");
    const { audiences } = (await (await fetch(`${sim.url}/__sim/audiences`)).json()) as {
      audiences: Array<{ id: string; name: string; members: Record<string, number>; audienceSize?: { matchRate?: number } }>;
    };
    for (const a of audiences) {
      const m = a.members;
      console.log(`  ${a.id}  ${a.name.padEnd(34)} COOKIE ${String(m.COOKIE).padStart(6)}  MAID ${String(m.MAID).padStart(6)}  EXTERNAL_USER_ID ${String(m.EXTERNAL_USER_ID).padStart(4)}`);
    }

    step("pulumi preview --expect-no-changes: the spec and the remote agree");
    const again = await stack.preview(["--expect-no-changes"]);
    show(again);
    if (again.code !== 0) throw new Error("the second preview found changes");

    step("pulumi up again: a no-op, no patch sent");
    const before = ((await (await fetch(`${sim.url}/__sim/requests?since=0`)).json()) as { requests: unknown[] }).requests.length;
    show(await stack.up());
    const after = ((await (await fetch(`${sim.url}/__sim/requests?since=0`)).json()) as { requests: Array<{ method: string }> }).requests;
    const patches = after.slice(before).filter((r) => r.method === "PATCH").length;
    console.log(`  requests to the API during the second up: ${after.length - before} (${patches} membership patches)`);
    console.log(`\nDone. Edit ${path.relative(process.cwd(), spec)} or its ID files and run again to see exact adds and removes.`);
  } finally {
    await sim.stop();
    if (keep) console.log(`work files kept in ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
