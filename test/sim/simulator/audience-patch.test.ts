import { strict as assert } from "node:assert";
import { startSimulator } from "../../../simulator";
import { OTHER_CREDS, TestClient, patchText, rawRequest, useSimulator, type DpErrorBody } from "../../support/sim-http";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("simulator: PATCH /v2/dp/audience", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0, audienceMaxPatches: 5, audienceMaxBytes: 20_000 }, additionalCredentials: [OTHER_CREDS] });
  let client: TestClient;
  let a: string;
  let b: string;
  let foreign: string;
  before(async () => {
    client = await TestClient.login(ctx.sim);
    a = await client.createAudience();
    b = await client.createAudience();
    foreign = await (await TestClient.login(ctx.sim, OTHER_CREDS)).createAudience();
  });

  it("answers {jobId, requestId} and applies adds before responding (patchApplyDelayMs 0)", async () => {
    const res = await client.patch(
      [
        patchText("add", "/COOKIE-EMpBAI0GRcK4nBNGpPGg5g/audiences", [a, b]),
        patchText("add", "/MAID-4b0f6a55-1c7e-4f5e-9b6a-1d2e3f4a5b6c/audiences", [a]),
        patchText("add", "/EXTERNAL_USER_ID-Rudderstack_ab-c/audiences", [b]),
      ].join(","),
    );
    assert.equal(res.status, 200, res.text);
    const body = res.json as { jobId: string; requestId: string };
    assert.deepEqual(Object.keys(body).sort(), ["jobId", "requestId"]);
    assert.match(body.jobId, UUID);
    assert.match(body.requestId, UUID);
    assert.deepEqual(ctx.sim.store.members(a), { COOKIE: ["EMpBAI0GRcK4nBNGpPGg5g"], MAID: ["4b0f6a55-1c7e-4f5e-9b6a-1d2e3f4a5b6c"], EXTERNAL_USER_ID: [] });
    assert.deepEqual(ctx.sim.store.members(b), { COOKIE: ["EMpBAI0GRcK4nBNGpPGg5g"], MAID: [], EXTERNAL_USER_ID: ["Rudderstack_ab-c"] });
    assert.deepEqual(ctx.sim.store.audiencesOf("COOKIE", "EMpBAI0GRcK4nBNGpPGg5g"), [a, b]);
  });

  it("removes, and treats add/remove of an existing/missing member as a no-op", async () => {
    const res = await client.patch(
      [patchText("remove", "/COOKIE-EMpBAI0GRcK4nBNGpPGg5g/audiences", [a]), patchText("remove", "/COOKIE-never-added/audiences", [a]), patchText("add", "/MAID-4b0f6a55-1c7e-4f5e-9b6a-1d2e3f4a5b6c/audiences", [a])].join(","),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(ctx.sim.store.audiencesOf("COOKIE", "EMpBAI0GRcK4nBNGpPGg5g"), [b]);
    assert.equal(ctx.sim.store.memberCounts(a)?.MAID, 1);
  });

  it("splits the path at the type prefix and the first '-' (values may contain '-' and '/')", async () => {
    const res = await client.patch([patchText("add", "/COOKIE--lead-dash/audiences", [a]), patchText("add", "/EXTERNAL_USER_ID-x/audiences/audiences", [a])].join(","));
    assert.equal(res.status, 200);
    assert.ok(ctx.sim.store.isMember(a, "COOKIE", "-lead-dash"));
    assert.ok(ctx.sim.store.isMember(a, "EXTERNAL_USER_ID", "x/audiences"));
  });

  it("accepts whitespace, any key order and consent (reference decoder path)", async () => {
    const body = `{ "patches" : [
      { "value" : [ ${a} ], "path" : "/COOKIE-pretty/audiences", "op" : "add",
        "consent": { "consentType": "Amazon", "amazonConsent": { "amazonAdStorage": "GRANTED", "amazonUserData": "DENIED" } } },
      { "op": "add", "path": "/COOKIE-caf\\u00e9/audiences", "value": [${a}], "consent": { "consentType": "TCF", "tcf": "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA" } },
      { "op": "add", "path": "/MAID-gpp/audiences", "value": [${a}], "consent": { "consentType": "GPP", "gpp": "DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA" } }
    ] }`;
    const res = await client.send("PATCH", "/v2/dp/audience", body);
    assert.equal(res.status, 200, res.text);
    assert.ok(ctx.sim.store.isMember(a, "COOKIE", "pretty"));
    assert.ok(ctx.sim.store.isMember(a, "COOKIE", "café"));
    assert.ok(ctx.sim.store.isMember(a, "MAID", "gpp"));
  });

  it("accepts unknown and foreign audience ids and ignores them, as Amazon's async job would", async () => {
    const unknown = (BigInt(b) + 1000n).toString();
    const res = await client.patch(patchText("add", "/COOKIE-ignored-elsewhere/audiences", [unknown, foreign, a]));
    assert.equal(res.status, 200);
    assert.deepEqual(ctx.sim.store.audiencesOf("COOKIE", "ignored-elsewhere"), [a]);
    assert.equal(ctx.sim.store.memberCounts(foreign)?.total, 0);
  });

  const P = (op: string, path: string, value: string): string => `{"op":${op},"path":${path},"value":${value}}`;
  const invalid: Array<{ name: string; body: () => string; field: string | undefined }> = [
    { name: "op 'replace'", body: () => `{"patches":[${P('"replace"', '"/COOKIE-x/audiences"', `[${a}]`)}]}`, field: "patches[0].op" },
    { name: "op missing", body: () => `{"patches":[{"path":"/COOKIE-x/audiences","value":[${a}]}]}`, field: "patches[0].op" },
    { name: "unknown record type", body: () => `{"patches":[${P('"add"', '"/EMAIL-x/audiences"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "lowercase type", body: () => `{"patches":[${P('"add"', '"/cookie-x/audiences"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "empty record value", body: () => `{"patches":[${P('"add"', '"/COOKIE-/audiences"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "missing /audiences suffix", body: () => `{"patches":[${P('"add"', '"/COOKIE-x"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "path without leading slash", body: () => `{"patches":[${P('"add"', '"COOKIE-x/audiences"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "path with a newline in the value", body: () => `{"patches":[${P('"add"', '"/COOKIE-a\\nb/audiences"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "a lone surrogate in the value", body: () => `{"patches":[${P('"add"', '"/COOKIE-\\ud800/audiences"', `[${a}]`)}]}`, field: "patches[0].path" },
    { name: "empty value array", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', "[]")}]}`, field: "patches[0].value" },
    { name: "value not an array", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', a)}]}`, field: "patches[0].value" },
    { name: "fractional audience id", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', "[1.5]")}]}`, field: "patches[0].value[0]" },
    { name: "audience id beyond int64", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', "[9223372036854775808]")}]}`, field: "patches[0].value[0]" },
    { name: "non-numeric string id", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', '["abc"]')}]}`, field: "patches[0].value[0]" },
    { name: "an audience id quoted as a JSON string", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', `["${a}"]`)}]}`, field: "patches[0].value[0]" },
    { name: "unknown patch field", body: () => `{"patches":[{"op":"add","path":"/COOKIE-x/audiences","value":[${a}],"from":"/x"}]}`, field: "patches[0].from" },
    { name: "consent of unknown type", body: () => `{"patches":[{"op":"add","path":"/COOKIE-x/audiences","value":[${a}],"consent":{"consentType":"USP"}}]}`, field: "patches[0].consent.consentType" },
    { name: "TCF consent without tcf", body: () => `{"patches":[{"op":"add","path":"/COOKIE-x/audiences","value":[${a}],"consent":{"consentType":"TCF"}}]}`, field: "patches[0].consent.tcf" },
    { name: "TCF consent with gpp too", body: () => `{"patches":[{"op":"add","path":"/COOKIE-x/audiences","value":[${a}],"consent":{"consentType":"TCF","tcf":"x","gpp":"y"}}]}`, field: "patches[0].consent.gpp" },
    { name: "Amazon consent with a bad value", body: () => `{"patches":[{"op":"add","path":"/COOKIE-x/audiences","value":[${a}],"consent":{"consentType":"Amazon","amazonConsent":{"amazonAdStorage":"YES","amazonUserData":"GRANTED"}}}]}`, field: "patches[0].consent.amazonConsent.amazonAdStorage" },
    { name: "an empty patches array", body: () => `{"patches":[]}`, field: "patches" },
    { name: "missing patches", body: () => `{}`, field: "patches" },
    { name: "an unknown top-level field", body: () => `{"patches":[${P('"add"', '"/COOKIE-x/audiences"', `[${a}]`)}],"dryRun":true}`, field: "dryRun" },
    { name: "malformed JSON", body: () => `{"patches":[{"op":"add"`, field: undefined },
    { name: "a second, invalid patch (the valid first one is not applied)", body: () => `{"patches":[${P('"add"', '"/COOKIE-atomic/audiences"', `[${a}]`)},${P('"add"', '"/COOKIE-x/audiences"', "[-]")}]}`, field: undefined },
  ];
  for (const c of invalid) {
    it(`answers 400 INVALID_INPUT for ${c.name}, applying nothing`, async () => {
      const before = ctx.sim.store.memberCounts(a);
      const res = await client.send("PATCH", "/v2/dp/audience", c.body());
      assert.equal(res.status, 400, res.text);
      const body = res.json as DpErrorBody;
      assert.equal(body.error.httpStatusCode, "400");
      if (c.field !== undefined) assert.equal(body.error.errors.find((e) => e.fieldName === c.field)?.errorType, "INVALID_INPUT", res.text);
      else assert.equal(body.error.errors[0]?.errorType, "INVALID_INPUT");
      assert.deepEqual(ctx.sim.store.memberCounts(a), before);
      assert.ok(!ctx.sim.store.isMember(a, "COOKIE", "atomic"));
    });
  }

  it("answers 413 INPUT_TOO_LARGE for more than audienceMaxPatches patches", async () => {
    const six = Array.from({ length: 6 }, (_, i) => patchText("add", `/COOKIE-six-${i}/audiences`, [a])).join(",");
    const res = await client.patch(six);
    assert.equal(res.status, 413);
    const body = res.json as DpErrorBody;
    assert.equal(body.error.httpStatusCode, "413");
    assert.equal(body.error.errors[0]?.errorType, "INPUT_TOO_LARGE");
    assert.equal(ctx.sim.store.isMember(a, "COOKIE", "six-0"), false);
    const five = await client.patch(Array.from({ length: 5 }, (_, i) => patchText("add", `/COOKIE-five-${i}/audiences`, [a])).join(","));
    assert.equal(five.status, 200);
  });

  for (const chunked of [false, true]) {
    it(`answers 413 for a body over audienceMaxBytes (${chunked ? "chunked" : "Content-Length"}) before parsing, keeping the connection usable`, async () => {
      const big = `{"patches":[${patchText("add", `/COOKIE-${"z".repeat(25_000)}/audiences`, [a])}]}`;
      const res = await rawRequest(ctx.sim.url, "PATCH", "/v2/dp/audience", { headers: client.headers(), body: big, chunked });
      assert.equal(res.status, 413);
      const body = res.json as DpErrorBody;
      assert.deepEqual(body.error.errors, [{ errorType: "INPUT_TOO_LARGE", message: "The input payload exceeds 20000 bytes limit." }]);
      assert.equal(ctx.sim.store.memberCounts(a)?.COOKIE, ctx.sim.store.members(a)?.COOKIE.length);
      assert.ok(!ctx.sim.store.members(a)?.COOKIE.some((v) => v.startsWith("zzz")));
      const log = ctx.sim.store.requests().at(-1);
      assert.equal(log?.status, 413);
      assert.ok((log?.bytes ?? 0) <= 20_000 + 65_536, `read ${log?.bytes} bytes before answering`);
      assert.equal((await client.patch(patchText("add", "/COOKIE-after-413/audiences", [a]))).status, 200);
    });
  }

  it("answers 415 for a non-JSON content type", async () => {
    const res = await client.send("PATCH", "/v2/dp/audience", `{"patches":[]}`, { "Content-Type": "application/x-www-form-urlencoded" });
    assert.equal(res.status, 415);
  });
});

describe("simulator: patchApplyDelayMs", () => {
  it("answers at once and applies later; stop() applies what is still pending", async () => {
    const sim = await startSimulator({ patchApplyDelayMs: 60_000 });
    try {
      const client = await TestClient.login(sim);
      const a = await client.createAudience();
      const res = await client.patch(patchText("add", "/COOKIE-later/audiences", [a]));
      assert.equal(res.status, 200);
      assert.equal(sim.store.isMember(a, "COOKIE", "later"), false);
    } finally {
      await sim.stop();
    }
    assert.equal(sim.store.memberCounts(sim.store.listAudiences()[0]?.id ?? "")?.COOKIE, 1);
  });
});
