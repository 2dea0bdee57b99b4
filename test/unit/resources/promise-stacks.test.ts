import { strict as assert } from "node:assert";
import { suspendPromiseStacks, suspendStacksForProgramRun } from "../../../provider/resources/promise-stacks";
import { DEBUG_ENV } from "../../../provider/util/debug";

describe("promise stacks while a resource is constructed", () => {
  const saved = { limit: Error.stackTraceLimit, debug: process.env[DEBUG_ENV] };
  afterEach(() => {
    Error.stackTraceLimit = saved.limit;
    if (saved.debug === undefined) delete process.env[DEBUG_ENV];
    else process.env[DEBUG_ENV] = saved.debug;
  });

  it("captures no frames until resumed, then as many as before", () => {
    delete process.env[DEBUG_ENV];
    Error.stackTraceLimit = 17;
    const resume = suspendPromiseStacks();
    assert.equal(Error.stackTraceLimit, 0);
    assert.equal(new Error("x").stack, "Error: x");
    resume();
    assert.equal(Error.stackTraceLimit, 17);
    assert.match(new Error("x").stack ?? "", /\n\s+at /);
  });

  it("keeps every frame with DSP_AUDIENCES_DEBUG=1", () => {
    process.env[DEBUG_ENV] = "1";
    Error.stackTraceLimit = 17;
    const resume = suspendPromiseStacks();
    assert.equal(Error.stackTraceLimit, 17);
    resume();
    assert.equal(Error.stackTraceLimit, 17);
  });

  it("the project's own program captures no frames for its whole run, unless debugging", () => {
    delete process.env[DEBUG_ENV];
    Error.stackTraceLimit = 17;
    suspendStacksForProgramRun();
    assert.equal(Error.stackTraceLimit, 0);
    process.env[DEBUG_ENV] = "1";
    Error.stackTraceLimit = 17;
    suspendStacksForProgramRun();
    assert.equal(Error.stackTraceLimit, 17);
  });
});
