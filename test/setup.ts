/**
 * Loaded before every test file (see .mocharc.json). Property tests run with a random seed on a
 * laptop, where a new seed can find a new bug (it printed with the failure), and with a fixed
 * seed in CI, where a run must be repeatable. FC_SEED pins it anywhere.
 * The run has a temp folder of its own, checked at the end for what the product left there.
 */
import * as fc from "fast-check";
import { useSuiteTempFolder } from "./support/suite-temp-folder";

const pinned = process.env.FC_SEED ?? (process.env.CI === "true" ? "20261129" : undefined);
if (pinned !== undefined) fc.configureGlobal({ seed: Number(pinned) });

const temp = useSuiteTempFolder();

/** Mocha's root hooks: after every test file of the run. */
export const mochaHooks = {
  afterAll(): void {
    temp.end();
  },
};
