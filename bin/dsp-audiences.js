#!/usr/bin/env node
"use strict";
// Runs the compiled CLI (dist/, built by `npm run build`; shipped in the package).
let cli;
try {
  cli = require("../dist/provider/cli/main");
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes("dist/provider/cli/main")) {
    console.error("dsp-audiences: the compiled CLI is missing; run `npm run build` in this checkout");
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
