import { strict as assert } from "node:assert";
import { parseSimulatorArgs } from "../../../simulator/cli";

describe("simulator/cli: parseSimulatorArgs", () => {
  it("maps every flag to options", () => {
    const args = parseSimulatorArgs([
      "--port", "8080", "--host=127.0.0.2", "--data", "/tmp/sim", "--token-ttl", "60", "--patch-delay-ms", "5", "--match-seed", "s",
      "--audience-id-base", "9007199254740993", "--strict-auth", "--limit", "audienceTps=0", "--limit=usersMaxUsers=10",
      "--faults-seed", "7", "--rate429", "0.1", "--rate5xx", "0.2", "--drop-rate", "0.05", "--latency-ms", "3", "--fault-paths", "/v2/dp/audience, /dp",
      "--fault-routes", "PATCH /v2/dp/audience,/v2/dp/users", "--fault-count", "3",
      "--apply-then-fail", "--client-id", "id", "--client-secret", "sec", "--refresh-token", "tok", "--verbose",
    ]);
    assert.deepEqual(args, {
      verbose: true,
      help: false,
      options: {
        port: 8080,
        host: "127.0.0.2",
        dataDir: "/tmp/sim",
        accessTokenTtlSeconds: 60,
        patchApplyDelayMs: 5,
        matchSeed: "s",
        audienceIdBase: 9007199254740993n,
        strictAuthorizationHeader: true,
        limits: { audienceTps: 0, usersMaxUsers: 10 },
        faults: { seed: 7, rate429: 0.1, rate5xx: 0.2, dropRate: 0.05, latencyMs: 3, paths: ["/v2/dp/audience", "/dp"], routes: ["PATCH /v2/dp/audience", "/v2/dp/users"], count: 3, applyThenFail: true },
        credentials: { clientId: "id", clientSecret: "sec", refreshToken: "tok" },
      },
    });
  });

  it("gives empty options for no flags, and --no-throttle zeroes every rate", () => {
    assert.deepEqual(parseSimulatorArgs([]), { options: {}, verbose: false, help: false });
    assert.deepEqual(parseSimulatorArgs(["--no-throttle"]).options.limits, { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 });
  });

  const bad: Array<[string[], RegExp]> = [
    [["--port"], /--port needs a value/],
    [["--port", "abc"], /--port needs a number/],
    [["--limit", "nope=1"], /--limit needs <name>=<n>/],
    [["--rate429", "2"], /rate429 must be a number in \[0, 1\]/],
    [["--audience-id-base", "-1"], /non-negative integer/],
    [["--frobnicate"], /unknown option '--frobnicate'/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(" ")}`, () => {
      assert.throws(() => parseSimulatorArgs(argv), message);
    });
  }
});
