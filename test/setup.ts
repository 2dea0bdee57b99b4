/**
 * Loaded before every test file (see .mocharc.json). Property tests run with a random seed on a
 * laptop, where a new seed can find a new bug (it printed with the failure), and with a fixed
 * seed in CI, where a run must be repeatable. FC_SEED pins it anywhere.
 */
import * as fc from "fast-check";

const pinned = process.env.FC_SEED ?? (process.env.CI === "true" ? "20261129" : undefined);
if (pinned !== undefined) fc.configureGlobal({ seed: Number(pinned) });
