import { strict as assert } from "node:assert";
import { deleteUsersCommand, deletionsOf, idsFromText, parseDeleteUsersArgs } from "../../../provider/cli/delete-users-command";
import type { CommandIo } from "../../../provider/cli/command-io";
import { createServer, type AddressInfo } from "node:net";

const MAID = "6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6";

describe("cli/delete-users", () => {
  it("parses one-off deletions; consent time as RFC 3339 or epoch ms", () => {
    assert.deepEqual(
      parseDeleteUsersArgs(["--type", "EXTERNAL_USER_ID", "--value", "a1", "--value", "b2", "--advertiser-id", "9223372036854775001", "--consent-time", "2026-01-01T00:00:00Z", "--endpoint", "http://127.0.0.1:1"]),
      { type: "EXTERNAL_USER_ID", values: ["a1", "b2"], advertiserId: "9223372036854775001", consentTime: "1767225600000", endpoint: "http://127.0.0.1:1" },
    );
    assert.equal(parseDeleteUsersArgs(["--type", "MAID", "--file", "ids.txt", "--consent-time", "1767225600000"]).consentTime, "1767225600000");
  });

  const bad: Array<[string[], RegExp]> = [
    [["--value", "a"], /--type must be one of COOKIE, MAID, EXTERNAL_USER_ID/],
    [["--type", "EXTERNAL_USER_ID"], /--value \(repeatable\) or --file/],
    [["--type", "MAID", "--value", "not-a-maid"], /--value #1: is not a valid MAID/],
    [["--type", "EXTERNAL_USER_ID", "--value", "a", "--advertiser-id", "0"], /--advertiser-id must be a positive integer/],
    [["--type", "EXTERNAL_USER_ID", "--value", "a", "--consent-time", "2026-02-30T00:00:00Z"], /--consent-time must be/],
    [["--type", "EXTERNAL_USER_ID", "a"], /unexpected argument/],
  ];
  for (const [args, reason] of bad) it(`refuses ${args.join(" ")}`, () => assert.throws(() => parseDeleteUsersArgs(args), reason));

  it("takes values that start with a dash (derived externalIds may)", () => {
    assert.deepEqual(parseDeleteUsersArgs(["--type", "EXTERNAL_USER_ID", "--value", "-BfQ_9", "--value=-x"]).values, ["-BfQ_9", "-x"]);
  });

  it("never echoes a bad ID", () => {
    assert.throws(() => parseDeleteUsersArgs(["--type", "MAID", "--value", "secret-looking-id"]), (e: Error) => !e.message.includes("secret-looking-id"));
  });

  it("reads ID files, skipping blanks and comments, naming the line of a bad ID", () => {
    assert.deepEqual(idsFromText(`# erased on request\n${MAID}\n\n  ${MAID.toUpperCase()}  \n`, "MAID", "ids.txt"), [MAID, MAID]); // canonical form; repeats are dropped when sent
    assert.throws(() => idsFromText(`${MAID}\nnope\n`, "MAID", "ids.txt"), (e: Error) => /^ids\.txt line 2: is not a valid MAID/.test(e.message) && !e.message.includes("nope"));
  });

  it("sends each ID once with the shared advertiser and consent time", () => {
    const request = parseDeleteUsersArgs(["--type", "EXTERNAL_USER_ID", "--value", "a", "--value", "b", "--advertiser-id", "7"]);
    assert.deepEqual(deletionsOf(request, ["b", "c"]), [
      { type: "EXTERNAL_USER_ID", value: "a", advertiserId: "7" },
      { type: "EXTERNAL_USER_ID", value: "b", advertiserId: "7" },
      { type: "EXTERNAL_USER_ID", value: "c", advertiserId: "7" },
    ]);
  });

  it("refuses to start without credentials, naming the variables", async () => {
    const err: string[] = [];
    const io: CommandIo = { out: () => undefined, err: (s) => err.push(s), env: {}, errIsTty: false, now: () => 0 };
    assert.equal(await deleteUsersCommand(["--type", "EXTERNAL_USER_ID", "--value", "a", "--endpoint", "http://127.0.0.1:9"], io), 2);
    assert.match(err.join(""), /Missing DSP credentials: dsp:clientId \(or DSP_CLIENT_ID\)/);
  });

  it("says that nothing was accepted when the first request fails, and points at no requestIds", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err: string[] = [];
    const env = { DSP_CLIENT_ID: "amzn1.application-oa2-client.t", DSP_CLIENT_SECRET: "s", DSP_REFRESH_TOKEN: "Atzr|t" };
    const io: CommandIo = { out: () => undefined, err: (s) => err.push(s), env, errIsTty: false, now: () => 0 };
    assert.equal(await deleteUsersCommand(["--type", "EXTERNAL_USER_ID", "--value", "a", "--endpoint", `http://127.0.0.1:${port}`], io), 1);
    assert.match(err.join(""), /none of 1 deletions was accepted/);
    assert.doesNotMatch(err.join(""), /requestIds above/);
  });
});
