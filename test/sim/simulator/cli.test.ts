import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../../simulator";
import { runSimulatorCli, type SimulatorCliIo } from "../../../simulator/cli";
import { rawRequest } from "../../support/sim-http";
import { within } from "../../support/wait-for";

/** Runs the CLI; resolves once it has started, or fails clearly if it ends (or hangs) before. */
async function startCli(args: string[], io: Omit<SimulatorCliIo, "onStarted">): Promise<{ sim: RunningSimulator; done: Promise<void> }> {
  let started: (sim: RunningSimulator) => void = () => undefined;
  const ready = new Promise<RunningSimulator>((resolve) => (started = resolve));
  const done = runSimulatorCli(args, { ...io, onStarted: (s) => started(s) });
  const endedFirst = done.then(() => Promise.reject(new Error("the simulator CLI ended before it started")));
  return { sim: await within(Promise.race([ready, endedFirst]), "the simulator CLI to start"), done };
}

describe("simulator: CLI", () => {
  it("starts from flags, prints the URL and credentials, and stops when told", async () => {
    const lines: string[] = [];
    let stop: () => void = () => undefined;
    const { sim, done } = await startCli(["--port", "0", "--rate429", "1", "--faults-seed", "3", "--limit", "metadataTps=0", "--client-id", "cli-client"], {
      out: (l) => lines.push(l),
      stopSignal: new Promise((resolve) => (stop = () => resolve(undefined))),
    });
    assert.match(lines[0] ?? "", /^DSP simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(lines[0]?.endsWith(sim.url));
    assert.match(lines[1] ?? "", /^credentials: client_id=cli-client client_secret=simulator-client-secret refresh_token=Atzr\|simulator-refresh-token$/);
    const health = await rawRequest(sim.url, "GET", "/__sim/health");
    assert.deepEqual((health.json as { faults: unknown }).faults, { rate429: 1, seed: 3 });
    stop();
    await done;
    assert.equal(lines.at(-1), "DSP simulator stopped");
    await assert.rejects(rawRequest(sim.url, "GET", "/__sim/health"));
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops cleanly on ${signal} and removes its signal handlers`, async () => {
      const listenersBefore = process.listenerCount(signal);
      const lines: string[] = [];
      const { sim, done } = await startCli(["--port", "0"], { out: (l) => lines.push(l) });
      assert.equal(process.listenerCount(signal), listenersBefore + 1);
      assert.equal((await rawRequest(sim.url, "GET", "/__sim/health")).status, 200);
      process.emit(signal, signal);
      await done;
      assert.equal(lines.at(-1), "DSP simulator stopped");
      assert.equal(process.listenerCount(signal), listenersBefore);
      await assert.rejects(rawRequest(sim.url, "GET", "/__sim/health"));
    });
  }

  it("prints usage for --help and rejects unknown flags", async () => {
    const lines: string[] = [];
    await runSimulatorCli(["--help"], { out: (l) => lines.push(l) });
    assert.match(lines.join("\n"), /--rate429/);
    await assert.rejects(runSimulatorCli(["--bogus"], { out: () => undefined }), /unknown option '--bogus'/);
  });
});
