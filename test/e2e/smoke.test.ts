import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { ensurePulumiEngine, PulumiStack } from "../../tools/pulumi-cli";
import { scenario } from "../support/checkpoints";

interface Seen {
  method: string;
  url: string;
  authorization: string;
}

/** A tiny REST server that records every request: the dynamic provider's only peer. */
async function startThingsServer(): Promise<{ url: string; seen: Seen[]; things: Map<string, string>; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const things = new Map<string, string>();
  let next = 1;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization ?? "" });
      const m = /^\/things(?:\/(\d+))?$/.exec(req.url ?? "");
      if (req.method === "POST" && m && !m[1]) {
        const id = String(next++);
        things.set(id, (JSON.parse(body) as { message: string }).message);
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id }));
      } else if (req.method === "PUT" && m?.[1] && things.has(m[1])) {
        things.set(m[1], (JSON.parse(body) as { message: string }).message);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } else if (req.method === "DELETE" && m?.[1] && things.delete(m[1])) {
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    things,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the real Pulumi engine in the loop (smoke)", function () {
  const checkpoint = scenario();
  const token = "smoke-token-" + Math.random().toString(36).slice(2);
  let server: Awaited<ReturnType<typeof startThingsServer>>;
  let stack: PulumiStack;
  let work: string;

  before(async function () {
    this.timeout(30 * 60 * 1000); // the first run may build the engine
    const binDir = await ensurePulumiEngine();
    server = await startThingsServer();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-smoke-"));
    stack = new PulumiStack({
      projectDir: path.join(__dirname, "fixtures", "smoke"),
      backendDir: path.join(work, "backend"),
      binDir,
      stack: `smoke${process.pid}`,
    });
    await stack.init();
    await stack.setConfig("url", server.url);
    await stack.setConfig("token", token, true);
  });

  after(async function () {
    await server?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  checkpoint("creates through the dynamic provider over real HTTP", async function () {
    await stack.up();
    const posts = server.seen.filter((s) => s.method === "POST");
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.authorization, `Bearer ${token}`, "the provider got its token from the stack's secret config at call time");
    assert.deepEqual([...server.things.values()], ["hello"]);
    const out = await stack.must(["stack", "output", "--json"]);
    const outputs = JSON.parse(out.stdout) as { serverId: string; projectVersion: string };
    assert.equal(outputs.serverId, "1");
    assert.equal(outputs.projectVersion, (require("../../package.json") as { version: string }).version);
  });

  checkpoint("keeps the serialized provider thin and credential-free", async function () {
    const state = await stack.exportState();
    assert.ok(!state.includes(token), "the token must not be in state");
    const backendFiles = fs.readdirSync(path.join(work, "backend"), { recursive: true, encoding: "utf8" });
    for (const f of backendFiles) {
      const full = path.join(work, "backend", f);
      if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, "latin1").includes(token), `token in ${f}`);
    }
    const provider = /"__provider":\s*"((?:[^"\\]|\\.)*)"/.exec(state)?.[1] ?? "";
    assert.ok(provider.length > 0, "state holds the serialized provider");
    assert.ok(provider.includes("loadProvider") && provider.includes("./ping-provider.js"), "the provider loads its implementation by module name at call time");
    // One line of module source (provider/resources/dynamic-shim.ts), not a serialized closure (2.5 KB).
    assert.ok(provider.length < 400, `serialized provider is ${provider.length} chars; it should be the one-line shim`);
    assert.ok(!provider.includes(work), "no absolute path of this machine in the provider");
  });

  checkpoint("previews no changes on a second run", async function () {
    const r = await stack.preview(["--expect-no-changes"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(server.seen.filter((s) => s.method !== "GET").length, 1, "preview sent nothing");
  });

  checkpoint("updates in place when an input changes", async function () {
    await stack.setConfig("message", "hello again");
    await stack.up();
    assert.deepEqual([...server.things.values()], ["hello again"]);
    assert.equal(server.seen.filter((s) => s.method === "PUT").length, 1);
  });

  checkpoint("destroys through the provider", async function () {
    await stack.destroy();
    assert.equal(server.things.size, 0);
    assert.equal(server.seen.filter((s) => s.method === "DELETE").length, 1);
  });
});
