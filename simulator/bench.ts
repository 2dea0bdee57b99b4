/**
 * How many 1 MB PATCH /v2/dp/audience requests per second the simulator accepts, throttling off.
 *
 *   node -r ts-node/register/transpile-only simulator/bench.ts [--seconds 5] [--concurrency 4]
 *
 * The simulator runs in a child process (one core), this process is the client (the other
 * core): keep-alive `node:http`, bodies built as string templates. Two scenarios:
 * - fresh: every patch names a new COOKIE id (an initial sync; every id is a new member),
 * - repeat: one prebuilt body sent again and again (members already present).
 * Each prints accepted req/s, MB/s and patches/s, plus the simulator's own CPU time per request
 * (from /proc) and the req/s that implies for one fully available core: on a shared, busy host
 * the wall-clock figure understates what the simulator can do, the CPU figure does not. It also
 * times `JSON.parse` of the same body here as a calibration (~9 ms on an idle host of this kind).
 * `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of the simulator process there.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { SIMULATOR_CREDENTIALS as C } from "./options";

const BODY_LIMIT = 1_000_000;

interface Args {
  seconds: number;
  concurrency: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 5, concurrency: 4 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (argv[i] === "--seconds") args.seconds = v;
    else if (argv[i] === "--concurrency") args.concurrency = v;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return args;
}

/** Starts `simulator/cli.ts` in a child process and returns its URL and a stop function. */
async function startChild(): Promise<{ url: string; stop: () => void; cpuMs: () => number }> {
  const child = fork(path.join(__dirname, "cli.ts"), ["--no-throttle", "--limit", "audienceMaxPatches=100000"], {
    execArgv: ["-r", "ts-node/register/transpile-only", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM"), cpuMs: () => processCpuMs(child.pid ?? 0) };
}

/** utime + stime of a process in ms, from /proc (Linux; clock ticks are 10 ms there). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(url: string, method: string, headers: Record<string, string>, body?: Buffer | string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A 1 MB body of `add` patches for cookie ids `<prefix><counter>` (22 chars), one audience each. */
function buildBody(audienceId: string, prefix: string, start: number): { body: Buffer; patches: number } {
  const head = '{"patches":[';
  const pre = '{"op":"add","path":"/COOKIE-';
  const post = `/audiences","value":[${audienceId}]}`;
  const parts: string[] = [];
  let size = head.length + 2;
  for (let n = start; ; n++) {
    const id = prefix + n.toString(36).padStart(22 - prefix.length, "0");
    const part = pre + id + post;
    if (size + part.length + 1 > BODY_LIMIT) break;
    size += part.length + 1;
    parts.push(part);
  }
  return { body: Buffer.from(`${head}${parts.join(",")}]}`), patches: parts.length };
}

async function scenario(
  name: string,
  url: string,
  serverCpuMs: () => number,
  headers: Record<string, string>,
  nextBody: () => { body: Buffer; patches: number },
  args: Args,
): Promise<{ reqPerSec: number; patches: number; capacity: number }> {
  let accepted = 0;
  let patches = 0;
  let bytes = 0;
  let other = 0;
  const deadline = Date.now() + args.seconds * 1000;
  const started = process.hrtime.bigint();
  const serverCpu0 = serverCpuMs();
  const clientCpu0 = ownCpuMs();
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const { body, patches: n } = nextBody();
      const res = await request(`${url}/v2/dp/audience`, "PATCH", headers, body);
      if (res.status === 200) {
        accepted++;
        patches += n;
        bytes += body.length;
      } else other++;
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const reqPerSec = accepted / seconds;
  const serverMsPerReq = (serverCpuMs() - serverCpu0) / Math.max(1, accepted + other);
  const clientMsPerReq = (ownCpuMs() - clientCpu0) / Math.max(1, accepted + other);
  console.log(
    `${name.padEnd(7)} ${reqPerSec.toFixed(1)} req/s accepted (${(bytes / 1e6 / seconds).toFixed(1)} MB/s, ${Math.round(patches / seconds).toLocaleString("en-US")} patches/s; ${accepted} ok, ${other} other in ${seconds.toFixed(1)} s)`,
  );
  console.log(
    `${"".padEnd(7)} simulator CPU ${serverMsPerReq.toFixed(1)} ms/request -> ${(1000 / serverMsPerReq).toFixed(0)} req/s on one free core; client CPU ${clientMsPerReq.toFixed(1)} ms/request`,
  );
  return { reqPerSec, patches, capacity: 1000 / serverMsPerReq };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const child = await startChild();
  try {
    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: C.refreshToken, client_id: C.clientId, client_secret: C.clientSecret });
    const token = JSON.parse((await request(`${child.url}/auth/o2/token`, "POST", { "content-type": "application/x-www-form-urlencoded" }, form.toString())).text) as {
      access_token: string;
    };
    const headers = { authorization: `Bearer ${token.access_token}`, "amazon-advertising-api-clientid": C.clientId, "content-type": "application/json" };
    const created = await request(
      `${child.url}/v2/dp/audiencemetadata/`,
      "POST",
      headers,
      JSON.stringify({ name: "bench audience", description: "", advertiserId: 1, metadata: { type: "DATA_PROVIDER", externalAudienceId: "bench", dataSourceCountry: ["US"] } }),
    );
    const audienceId = /"id":(\d+)/.exec(created.text)?.[1];
    if (!audienceId) throw new Error(`create failed: ${created.text}`);

    console.log(`simulator ${child.url}, 1 MB bodies, concurrency ${args.concurrency}, ${args.seconds} s per scenario`);
    let counter = 0;
    const calibration = buildBody(audienceId, "c", 0).body.toString();
    const t0 = ownCpuMs();
    for (let i = 0; i < 20; i++) JSON.parse(calibration);
    console.log(`calibration: JSON.parse of one body takes ${((ownCpuMs() - t0) / 20).toFixed(1)} ms CPU here (an idle host: ~9 ms)`);
    const fresh = await scenario("fresh", child.url, child.cpuMs, headers, () => {
      const b = buildBody(audienceId, "f", counter);
      counter += b.patches;
      return b;
    }, args);
    const fixed = buildBody(audienceId, "r", 0);
    const repeat = await scenario("repeat", child.url, child.cpuMs, headers, () => fixed, args);

    const members = JSON.parse((await request(`${child.url}/__sim/audiences`, "GET", {})).text) as { audiences: Array<{ members: { total: number } }> };
    const total = members.audiences[0]?.members.total;
    const expected = fresh.patches + (repeat.patches > 0 ? fixed.patches : 0);
    console.log(`server applied ${total?.toLocaleString("en-US")} members (expected ${expected.toLocaleString("en-US")}) ${total === expected ? "OK" : "MISMATCH"}`);
    console.log(
      `RESULT patch_req_per_s measured fresh=${fresh.reqPerSec.toFixed(1)} repeat=${repeat.reqPerSec.toFixed(1)}; ` +
        `cpu-bound capacity fresh=${fresh.capacity.toFixed(0)} repeat=${repeat.capacity.toFixed(0)}`,
    );
  } finally {
    child.stop();
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
